/**
 * The people-facing commands that talk to a running node over HTTP: send, query, tail, keys,
 * sources and types.
 */
@NullMarked
package dev.vellum.cli.client;

import org.jspecify.annotations.NullMarked;
