package dev.vellum.store;

/** One signed checkpoint of a tenant's log, as kept forever. */
public record StoredCheckpoint(long treeSize, byte[] rootHash, String note, long signedAtMicros) {}
