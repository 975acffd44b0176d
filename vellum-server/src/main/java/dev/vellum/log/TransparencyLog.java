package dev.vellum.log;

import dev.vellum.config.VellumConfig;
import dev.vellum.core.merkle.MerkleTree;
import dev.vellum.core.merkle.TileNodeReader;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.ingest.LogWriter;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredCheckpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Each tenant's append-only Merkle log (RFC 6962 hashing, C2SP tlog-tiles storage, C2SP signed
 * checkpoints): tiles written in the sequencer's transaction, a checkpointer signing tree heads,
 * and the proofs and tiles served to auditors. Proofs read O(log n) tiles, never the leaves.
 */
public final class TransparencyLog implements AutoCloseable {
  /** An inclusion proof of one leaf in the tree of {@code treeSize} leaves. */
  public record InclusionProof(
      long leafIndex,
      long treeSize,
      byte[] leafHash,
      List<byte[]> auditPath,
      Optional<StoredCheckpoint> checkpoint) {}

  /** Full tiles never change once written, so up to this many (8 KiB each) are kept in memory. */
  private static final int CACHED_FULL_TILES = 4_096;

  private final EventStore store;
  private final TileLogWriter writer;
  private final java.util.Map<String, byte[]> fullTiles =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, byte[]> eldest) {
              return size() > CACHED_FULL_TILES;
            }
          });
  private final SigningKey key;
  private final Checkpointer checkpointer;

  private TransparencyLog(VellumConfig config, EventStore store, Clock clock) {
    this.store = store;
    this.writer = new TileLogWriter(store);
    this.key = SigningKey.loadOrCreate(config.dataDir(), config.logName());
    this.checkpointer =
        new Checkpointer(store, key, writer::heads, clock, config.checkpointInterval());
  }

  public static TransparencyLog open(VellumConfig config, EventStore store, Clock clock) {
    return new TransparencyLog(config, store, clock);
  }

  /** The sequencer's hook for writing tiles in the same transaction as the events. */
  public LogWriter writer() {
    return writer;
  }

  /**
   * Loads the durable head of every tenant and starts signing. MUST be called while no ingest is
   * running (before the HTTP server starts), so each head is read from one state.
   */
  public void startCheckpointer(Collection<String> tenants, CheckpointWriter checkpointWriter) {
    for (String t : tenants) {
      writer.heads().putIfAbsent(t, writer.head(t));
    }
    checkpointer.start(checkpointWriter);
    checkpointer.signDue();
  }

  /** The verifier key of a tenant's log: {@code <origin>+<hex key id>+<base64 key>}. */
  public String verifierKey(String tenant) {
    return key.signer(tenant).verifierKey();
  }

  public Optional<StoredCheckpoint> latestCheckpoint(String tenant) {
    return checkpointer.latest(tenant);
  }

  public List<StoredCheckpoint> checkpoints(String tenant, long sinceSize, int limit) {
    return store.checkpoints(tenant, sinceSize, limit);
  }

  /** The number of leaves in the tenant's durable tree. */
  public long treeSize(String tenant) {
    TileLogWriter.Head h = writer.heads().get(tenant);
    return h == null ? 0 : h.size();
  }

  /** Waits until a signed checkpoint covers {@code size} leaves; empty on timeout. */
  public Optional<StoredCheckpoint> awaitCheckpoint(String tenant, long size, Duration timeout)
      throws InterruptedException {
    return checkpointer.awaitCovering(tenant, size, timeout);
  }

  /**
   * The audit path of leaf {@code index} in the tree of {@code treeSize} leaves. The caller checks
   * {@code index < treeSize <= treeSize(tenant)}.
   */
  public InclusionProof inclusion(
      String tenant, long index, long treeSize, byte @Nullable [] leafHash) {
    TileNodeReader nodes = new TileNodeReader((level, idx) -> readTile(tenant, level, idx));
    List<byte[]> path = MerkleTree.inclusionProof(nodes, index, treeSize);
    byte[] leaf = leafHash != null ? leafHash : nodes.node(0, index);
    return new InclusionProof(index, treeSize, leaf, path, checkpointOfSize(tenant, treeSize));
  }

  /** Most proofs are asked against the latest checkpoint, which is kept in memory. */
  private Optional<StoredCheckpoint> checkpointOfSize(String tenant, long treeSize) {
    Optional<StoredCheckpoint> latest = checkpointer.latest(tenant);
    return latest.isPresent() && latest.get().treeSize() == treeSize
        ? latest
        : store.checkpoint(tenant, treeSize);
  }

  /** The RFC 9162 consistency proof between two sizes, {@code 0 < from <= to <= treeSize}. */
  public List<byte[]> consistency(String tenant, long from, long to) {
    TileNodeReader nodes = new TileNodeReader((level, idx) -> readTile(tenant, level, idx));
    return MerkleTree.consistencyProof(nodes, from, to);
  }

  /**
   * A stored tile: from memory when it is full (and so immutable) or the right edge the writer last
   * committed, else from the store.
   */
  private byte @Nullable [] readTile(String tenant, int level, long index) {
    String key = tenant + '/' + level + '/' + index;
    byte[] cached = fullTiles.get(key);
    if (cached != null) {
      return cached;
    }
    byte[] edge = writer.edgeTile(tenant, level, index);
    if (edge != null) {
      return edge;
    }
    byte[] stored = store.readTile(tenant, level, index);
    if (stored != null && stored.length == 256 * 32) {
      fullTiles.put(key, stored);
    }
    return stored;
  }

  /**
   * The tile at {@code path}, cut to the requested width; empty when it does not exist (yet) at
   * that width.
   */
  public Optional<byte[]> tile(String tenant, TilePath path) {
    byte[] stored = readTile(tenant, path.level(), path.index());
    int bytes = path.width() * 32;
    if (stored == null || stored.length < bytes) {
      return Optional.empty();
    }
    if (!path.isPartial() && stored.length != 256 * 32) {
      return Optional.empty();
    }
    return Optional.of(stored.length == bytes ? stored : Arrays.copyOf(stored, bytes));
  }

  /** Signs the final checkpoints and stops signing; call while the writer still runs. */
  @Override
  public void close() {
    checkpointer.close();
  }
}
