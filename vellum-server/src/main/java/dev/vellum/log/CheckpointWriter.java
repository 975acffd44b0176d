package dev.vellum.log;

import dev.vellum.store.StoredCheckpoint;
import java.util.concurrent.CompletableFuture;

/** Makes a signed checkpoint durable through the single writer; the future completes then. */
public interface CheckpointWriter {
  CompletableFuture<Void> save(String tenant, StoredCheckpoint checkpoint);
}
