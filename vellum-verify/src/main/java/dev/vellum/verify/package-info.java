/**
 * Independent verification of a Vellum log: {@code vellum verify} (offline, on a data dir; or
 * online, against a URL with a trusted verifier key) and {@code vellum monitor} (the online check
 * in a loop, for a witness). Only the two commands are public; they use nothing of the server but
 * the stored bytes and the HTTP API, and the pure maths of {@code dev.vellum.core}.
 */
@NullMarked
package dev.vellum.verify;

import org.jspecify.annotations.NullMarked;
