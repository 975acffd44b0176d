package dev.vellum.log;

import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.ingest.LogWriter;
import dev.vellum.store.EventStore;
import dev.vellum.store.TileWrite;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each tenant's tree as C2SP hash tiles, updated in the sequencer's transaction. Used only
 * from the sequencer thread, except {@link #heads()}, which other threads read.
 *
 * <p>An appender is loaded from the stored tiles on first use. After a failed transaction all
 * appenders are dropped and reloaded, because an appender that has seen leaves the database
 * never stored would be wrong from then on.
 */
final class TileLogWriter implements LogWriter {
  /** Tree size and root after a durable commit. */
  record Head(long size, byte[] root) {}

  private final EventStore store;
  private final Map<String, TileAppender> appenders = new HashMap<>();
  private final Map<String, Head> staged = new HashMap<>();
  private final Map<String, Head> heads = new ConcurrentHashMap<>();

  TileLogWriter(EventStore store) {
    this.store = store;
  }

  @Override
  public List<TileWrite> stage(String tenant, long firstSeq, List<byte[]> leafHashes) {
    TileAppender appender = appenders.computeIfAbsent(tenant, this::load);
    if (appender.size() != firstSeq) {
      throw new IllegalStateException("log of tenant " + tenant + " has " + appender.size()
          + " leaves but the batch starts at seq " + firstSeq);
    }
    List<TileWrite> out = new ArrayList<>();
    for (Tile t : appender.append(leafHashes)) {
      out.add(new TileWrite(tenant, t.level(), t.index(), t.hashes()));
    }
    staged.put(tenant, new Head(appender.size(), appender.root()));
    return out;
  }

  private TileAppender load(String tenant) {
    return TileAppender.load(store.nextSeq(tenant), (level, index) ->
        store.readTile(tenant, level, index));
  }

  @Override
  public void committed() {
    heads.putAll(staged);
    staged.clear();
  }

  @Override
  public void aborted() {
    staged.clear();
    appenders.clear();
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
