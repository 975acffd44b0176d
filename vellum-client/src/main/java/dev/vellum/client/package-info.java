/**
 * The Java client of Vellum. {@link dev.vellum.client.VellumClient} records audit events without
 * blocking the caller: it batches them in the background, retries with the same client-assigned
 * UUIDv7 ids (so a retry is never stored twice), and with a spool directory writes every event to
 * an fsynced, checksummed log first, so events survive an outage of the server and a crash of the
 * process. Parameters and return values are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.vellum.client;

import org.jspecify.annotations.NullMarked;
