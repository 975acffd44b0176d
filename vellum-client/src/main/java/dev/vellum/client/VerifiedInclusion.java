package dev.vellum.client;

/**
 * Proof, checked on this side, that the event of a receipt is leaf {@code seq} of the tenant's log
 * at {@code treeSize}, under a checkpoint signed by the pinned key. Keep {@code checkpoint} (the
 * signed note) as evidence.
 */
public record VerifiedInclusion(
    String id, long seq, long treeSize, String rootHash, String checkpoint) {}
