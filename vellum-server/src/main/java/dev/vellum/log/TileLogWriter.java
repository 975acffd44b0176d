package dev.vellum.log;

import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.core.merkle.TileMath;
import dev.vellum.ingest.LogWriter;
import dev.vellum.store.EventStore;
import dev.vellum.store.TileWrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Keeps each tenant's tree as C2SP hash tiles, updated in the sequencer's transaction. Used only
 * from the sequencer thread, except {@link #heads()}, which other threads read.
 *
 * <p>An appender is loaded from the stored tiles on first use. After a failed transaction all
 * appenders are dropped and reloaded, because an appender that has seen leaves the database never
 * stored would be wrong from then on.
 */
final class TileLogWriter implements LogWriter {
  /** Tree size and root after a durable commit. */
  record Head(long size, byte[] root) {}

  private final EventStore store;
  private final Map<String, TileAppender> appenders = new HashMap<>();
  private final Map<String, Head> staged = new HashMap<>();
  private final Map<String, Head> heads = new ConcurrentHashMap<>();
  private final List<TileWrite> stagedTiles = new ArrayList<>();

  /** The durable right-edge (partial) tile of each tenant and level, keyed tenant/level. */
  private final Map<String, TileWrite> edges = new ConcurrentHashMap<>();

  TileLogWriter(EventStore store) {
    this.store = store;
  }

  @Override
  public List<TileWrite> stage(String tenant, long firstSeq, List<byte[]> leafHashes) {
    TileAppender appender = appenders.computeIfAbsent(tenant, this::load);
    if (appender.size() != firstSeq) {
      throw new IllegalStateException(
          "log of tenant "
              + tenant
              + " has "
              + appender.size()
              + " leaves but the batch starts at seq "
              + firstSeq);
    }
    List<TileWrite> out = new ArrayList<>();
    for (Tile t : appender.append(leafHashes)) {
      out.add(new TileWrite(tenant, t.level(), t.index(), t.hashes()));
    }
    staged.put(tenant, new Head(appender.size(), appender.root()));
    stagedTiles.addAll(out);
    return out;
  }

  private TileAppender load(String tenant) {
    return TileAppender.load(
        store.nextSeq(tenant), (level, index) -> store.readTile(tenant, level, index));
  }

  @Override
  public void committed() {
    for (TileWrite t : stagedTiles) {
      String key = t.tenant() + '/' + t.level();
      if (t.hashes().length < TileMath.WIDTH * Rfc6962.HASH_SIZE) {
        edges.put(key, t);
      } else {
        edges.computeIfPresent(key, (k, edge) -> edge.index() == t.index() ? null : edge);
      }
    }
    heads.putAll(staged);
    staged.clear();
    stagedTiles.clear();
  }

  @Override
  public void aborted() {
    staged.clear();
    stagedTiles.clear();
    appenders.clear();
  }

  @Override
  public void forget(String tenant) {
    appenders.remove(tenant);
  }

  /**
   * The durable partial tile at the right edge of the tenant's tree, if it is the one asked for.
   * Proofs need these on every request; the database holds the same bytes. After a restart this is
   * empty until the first commit.
   */
  byte @Nullable [] edgeTile(String tenant, int level, long index) {
    TileWrite t = edges.get(tenant + '/' + level);
    return t != null && t.index() == index ? t.hashes() : null;
  }

  /** The latest durable head of {@code tenant}, loading it from storage if not yet known. */
  Head head(String tenant) {
    Head h = heads.get(tenant);
    if (h != null) {
      return h;
    }
    TileAppender fresh = load(tenant);
    return new Head(fresh.size(), fresh.root());
  }

  Map<String, Head> heads() {
    return heads;
  }
}
