package dev.vellum.log;

import dev.vellum.config.VellumConfig;
import dev.vellum.core.merkle.MerkleTree;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.core.merkle.TileNodeReader;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.ingest.LogWriter;
import dev.vellum.lease.Lease;
import dev.vellum.store.EventStore;
import dev.vellum.store.StoredCheckpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
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

  /** The tenants of a store other nodes append to as well; null when this node is the only one. */
  private final @Nullable Supplier<Collection<String>> sharedTenants;

  private TransparencyLog(
      VellumConfig config,
      EventStore store,
      Clock clock,
      Lease signerLease,
      @Nullable Supplier<Collection<String>> sharedTenants) {
    this.store = store;
    this.writer = new TileLogWriter(store);
    this.sharedTenants = sharedTenants;
    this.key = SigningKey.load(config);
    this.checkpointer =
        new Checkpointer(
            store,
            key,
            sharedTenants == null ? writer::heads : this::storeHeads,
            clock,
            config.checkpointInterval(),
            signerLease,
            sharedTenants != null);
  }

  /** The log of the only node on its store: it signs every checkpoint. */
  public static TransparencyLog open(VellumConfig config, EventStore store, Clock clock) {
    return new TransparencyLog(
        config, store, clock, Lease.always(Lease.CHECKPOINT_SIGNER, clock), null);
  }

  /**
   * The log of one of several nodes sharing {@code store}: it signs only while it holds {@code
   * signerLease}, signs the heads the store has (whichever node appended), and serves checkpoints,
   * tree sizes and tiles as the store has them.
   */
  public static TransparencyLog openShared(
      VellumConfig config,
      EventStore store,
      Clock clock,
      Lease signerLease,
      Supplier<Collection<String>> tenants) {
    return new TransparencyLog(config, store, clock, signerLease, tenants);
  }

  /**
   * The durable head of every tenant as the shared store has it: this node's own head when it is
   * current, else computed from the stored tiles (O(log n) reads).
   */
  private Map<String, TileLogWriter.Head> storeHeads() {
    Map<String, TileLogWriter.Head> out = new HashMap<>();
    for (String tenant : java.util.Objects.requireNonNull(sharedTenants).get()) {
      long size = store.nextSeq(tenant);
      TileLogWriter.Head local = writer.heads().get(tenant);
      if (local != null && local.size() == size) {
        out.put(tenant, local);
      } else {
        TileAppender loaded =
            TileAppender.load(size, (level, index) -> store.readTile(tenant, level, index));
        out.put(tenant, new TileLogWriter.Head(size, loaded.root()));
      }
    }
    return out;
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
    if (sharedTenants != null) {
      return store.nextSeq(tenant);
    }
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
    // another node may have grown the edge tile since this node wrote it
    byte[] edge = sharedTenants == null ? writer.edgeTile(tenant, level, index) : null;
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
