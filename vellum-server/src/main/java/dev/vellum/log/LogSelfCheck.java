package dev.vellum.log;

import dev.vellum.core.merkle.MerkleTree;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.merkle.TileNodeReader;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteVerifier;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredCheckpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node auditing its own log, as an outside monitor would: the latest signed checkpoint of a
 * tenant, read from the store (never from the checkpointer's memory), must carry a valid signature
 * by the log's key, its root must be the root the stored tiles give at its size, and it must be
 * consistent (RFC 9162 §2.1.4) with the last checkpoint this node verified. Each check reads the
 * checkpoint row and O(log n) tiles, never the leaves.
 *
 * <p>A check that fails counts in {@code vellum_log_verification_failures_total} and marks the
 * tenant failed until a later check passes; the verified state is not advanced by a failure, so a
 * log that was rewritten keeps failing. The verified state is in memory: after a restart the first
 * check of each tenant starts from its latest checkpoint (signature and root against the tiles),
 * like a monitor that has just started.
 */
public final class LogSelfCheck {
  private static final Logger LOG = LoggerFactory.getLogger(LogSelfCheck.class);

  /** Why the last check of a tenant failed. */
  public record Failure(long treeSize, String reason, long atMicros) {}

  private record Verified(long size, byte[] root) {}

  private final EventStore store;
  private final Function<String, String> verifierKey;
  private final Map<String, Verified> verified = new ConcurrentHashMap<>();
  private final Map<String, Failure> failed = new ConcurrentHashMap<>();
  private final Counter checks;
  private final Counter failures;

  /** {@code verifierKey} gives a tenant's verifier key ({@link TransparencyLog#verifierKey}). */
  public LogSelfCheck(EventStore store, Function<String, String> verifierKey, MeterRegistry m) {
    this.store = store;
    this.verifierKey = verifierKey;
    this.checks =
        Counter.builder("vellum.log.verifications")
            .description("self-checks of a tenant's latest signed checkpoint against the tiles")
            .register(m);
    this.failures =
        Counter.builder("vellum.log.verification.failures")
            .description("self-checks that found a checkpoint or tile inconsistent")
            .register(m);
  }

  /**
   * Checks the tenant's latest stored checkpoint; returns true when it verified (or there is none
   * yet).
   */
  public boolean check(String tenant, long nowMicros) {
    Optional<StoredCheckpoint> latest = store.latestCheckpoint(tenant);
    if (latest.isEmpty()) {
      return true;
    }
    StoredCheckpoint cp = latest.get();
    checks.increment();
    try {
      verify(tenant, cp);
      verified.put(tenant, new Verified(cp.treeSize(), cp.rootHash().clone()));
      if (failed.remove(tenant) != null) {
        LOG.info("log of tenant {} verifies again at size {}", tenant, cp.treeSize());
      }
      return true;
    } catch (RuntimeException e) {
      failures.increment();
      String reason = String.valueOf(e.getMessage());
      Failure before = failed.put(tenant, new Failure(cp.treeSize(), reason, nowMicros));
      if (before == null || !before.reason().equals(reason)) {
        LOG.error(
            "log of tenant {} failed its self-check at size {}: {}", tenant, cp.treeSize(), reason);
      }
      return false;
    }
  }

  private void verify(String tenant, StoredCheckpoint cp) {
    Checkpoint signed = NoteVerifier.parse(verifierKey.apply(tenant)).verifyCheckpoint(cp.note());
    if (signed.size() != cp.treeSize() || !Arrays.equals(signed.rootHash(), cp.rootHash())) {
      throw new IllegalStateException(
          "the stored checkpoint row (size "
              + cp.treeSize()
              + ", root "
              + hex(cp.rootHash())
              + ") differs from its signed note (size "
              + signed.size()
              + ", root "
              + hex(signed.rootHash())
              + ")");
    }
    TileNodeReader tiles =
        new TileNodeReader((level, index) -> store.readTile(tenant, level, index));
    byte[] fromTiles = MerkleTree.root(tiles, cp.treeSize());
    if (!Arrays.equals(fromTiles, cp.rootHash())) {
      throw new IllegalStateException(
          "root mismatch at size "
              + cp.treeSize()
              + ": the checkpoint says "
              + hex(cp.rootHash())
              + ", the stored tiles give "
              + hex(fromTiles));
    }
    Verified before = verified.get(tenant);
    if (before != null && before.size() > 0) { // every tree extends the empty one
      if (cp.treeSize() < before.size()) {
        throw new IllegalStateException(
            "the latest checkpoint has size "
                + cp.treeSize()
                + ", smaller than size "
                + before.size()
                + " verified before");
      }
      List<byte[]> proof =
          cp.treeSize() == before.size()
              ? List.of()
              : MerkleTree.consistencyProof(tiles, before.size(), cp.treeSize());
      ProofVerifier.verifyConsistency(
          before.size(), cp.treeSize(), proof, before.root(), cp.rootHash());
    }
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }

  /** The tenants whose last check failed, and why. */
  public Map<String, Failure> failed() {
    return Map.copyOf(failed);
  }

  /** Whether the tenant's last check failed. */
  public boolean failed(String tenant) {
    return failed.containsKey(tenant);
  }

  /** The size last verified for the tenant, or -1. */
  public long verifiedSize(String tenant) {
    Verified v = verified.get(tenant);
    return v == null ? -1 : v.size();
  }
}
