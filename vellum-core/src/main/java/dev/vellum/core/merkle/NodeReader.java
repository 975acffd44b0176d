package dev.vellum.core.merkle;

/**
 * Reads one hash of a stored Merkle tree.
 *
 * <p>{@code node(level, index)} MUST return the 32-byte hash of the perfect subtree of height
 * {@code level} that covers leaves {@code [index·2^level, (index+1)·2^level)}; at level 0 that is
 * the leaf hash. Callers only ask for subtrees that are complete in the tree they work on. An
 * implementation MUST throw (not return null) when the node is not stored.
 */
@FunctionalInterface
public interface NodeReader {
  byte[] node(int level, long index);
}
