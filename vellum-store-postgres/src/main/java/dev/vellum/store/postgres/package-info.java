/**
 * The PostgreSQL engine: {@link dev.vellum.store.EventStore} and {@link
 * dev.vellum.store.DirectoryStore} on one database shared by several Vellum nodes.
 */
@NullMarked
package dev.vellum.store.postgres;

import org.jspecify.annotations.NullMarked;
