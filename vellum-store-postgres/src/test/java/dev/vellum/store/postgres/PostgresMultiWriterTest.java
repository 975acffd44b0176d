package dev.vellum.store.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.core.merkle.MerkleTree;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.core.merkle.TileNodeReader;
import dev.vellum.store.EventStore;
import dev.vellum.store.FeedEvent;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.StoredEvent;
import dev.vellum.store.TileWrite;
import dev.vellum.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two "nodes" (two stores, each with its own connection pool) on one schema, writing the same
 * tenant at once, as two Vellum nodes on one database do.
 */
class PostgresMultiWriterTest {
  private final TestSchemas schemas = new TestSchemas();
  private PostgresEventStore nodeA;
  private PostgresEventStore nodeB;

  @BeforeEach
  void open() {
    String schema = schemas.newSchema();
    nodeA = new PostgresEventStore(PostgresDatabase.open(TestSchemas.settings(schema, 4)));
    nodeB = new PostgresEventStore(PostgresDatabase.open(TestSchemas.settings(schema, 4)));
  }

  @AfterEach
  void close() throws Exception {
    nodeA.close();
    nodeB.close();
    schemas.dropAll();
  }

  @Test
  void twoNodesAppendingToOneTenantAtOnceWithRollbacksKeepOneGaplessLogWithConsistentTiles()
      throws Exception {
    int batchesPerWriter = 60;
    Map<String, Boolean> acknowledged = new ConcurrentHashMap<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing = new AtomicBoolean(true);
    List<FeedEvent> read = Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              long position = 0;
              while (true) {
                boolean last = !writing.get();
                List<FeedEvent> page = nodeB.after(position, 53);
                for (FeedEvent f : page) {
                  read.add(f);
                  position = f.position();
                }
                if (last && page.isEmpty()) {
                  return;
                }
              }
            });
    reader.start();
    // two writer threads per node: group commits of one node may also overlap each other
    List<EventStore> writers = List.of(nodeA, nodeB, nodeA, nodeB);
    CountDownLatch done = new CountDownLatch(writers.size());
    for (int w = 0; w < writers.size(); w++) {
      EventStore store = writers.get(w);
      String own = "own-" + w;
      Random random = new Random(w);
      new Thread(
              () -> {
                try {
                  for (int b = 0; b < batchesPerWriter; b++) {
                    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
                    counts.put("shared", 1 + random.nextInt(20));
                    if (random.nextBoolean()) {
                      counts.put(own, 1 + random.nextInt(5));
                    }
                    List<NewEvent> written = new ArrayList<>();
                    // some commits fail after their positions were taken (a tile PostgreSQL
                    // refuses: text cannot hold NUL), so they roll back holding the feed lock
                    boolean doomed = random.nextInt(5) == 0;
                    try {
                      store.append(
                          counts.keySet(),
                          heads -> {
                            written.clear();
                            WriteBatch staged = stage(store, heads, counts, written);
                            if (!doomed) {
                              return staged;
                            }
                            List<TileWrite> tiles = new ArrayList<>(staged.tiles());
                            tiles.add(new TileWrite("bad\u0000tenant", 0, 0, new byte[32]));
                            return WriteBatch.ofEvents(staged.events(), tiles);
                          });
                    } catch (StoreException e) {
                      if (!doomed) {
                        throw e;
                      }
                      continue;
                    }
                    if (doomed) {
                      throw new AssertionError("a doomed commit succeeded");
                    }
                    written.forEach(e -> acknowledged.put(e.tenant() + "/" + e.id(), true));
                  }
                } catch (Throwable t) {
                  failures.add(t);
                } finally {
                  done.countDown();
                }
              })
          .start();
    }
    done.await();
    writing.set(false);
    reader.join();
    assertEquals(List.of(), failures);

    Set<String> tenants = new TreeSet<>();
    acknowledged.keySet().forEach(k -> tenants.add(k.substring(0, k.indexOf('/'))));
    Set<String> stored = new HashSet<>();
    for (String tenant : tenants) {
      long size = nodeA.nextSeq(tenant);
      assertEquals(size, nodeB.nextSeq(tenant));
      List<StoredEvent> log = nodeA.range(tenant, 0, size);
      TileAppender recomputed = new TileAppender(0, List.of());
      for (int i = 0; i < log.size(); i++) {
        StoredEvent e = log.get(i);
        assertEquals(i, e.seq(), "seqs of " + tenant + " contiguous from 0");
        assertTrue(stored.add(tenant + "/" + e.id()), "each event once");
        assertArrayEquals(
            Rfc6962.leafHash(e.body().getBytes(StandardCharsets.UTF_8)), e.leafHash());
        recomputed.append(List.of(e.leafHash()));
      }
      byte[] fromTiles =
          MerkleTree.root(
              new TileNodeReader((level, index) -> nodeB.readTile(tenant, level, index)), size);
      assertArrayEquals(recomputed.root(), fromTiles, "root of " + tenant + " from stored tiles");
    }
    assertEquals(acknowledged.keySet(), stored, "every acknowledged event, nothing else");

    List<Long> positions = read.stream().map(FeedEvent::position).toList();
    List<Long> expected = new ArrayList<>();
    for (long p = 1; p <= stored.size(); p++) {
      expected.add(p);
    }
    assertEquals(expected, positions, "the polling reader saw every position once, in order");
    assertEquals(stored.size(), nodeA.lastPosition());
  }

  @Test
  void aBatchStagedBeforeTheOtherNodeCommittedIsFencedOffAndWritesNothing() {
    List<NewEvent> staleOnA = events("t1", 0, 3);
    nodeB.append(WriteBatch.ofEvents(events("t1", 0, 2), tiles("t1", 0, 2)));
    StoreException e =
        assertThrows(
            StoreException.class,
            () -> nodeA.append(WriteBatch.ofEvents(staleOnA, tiles("t1", 0, 3))));
    assertTrue(e.getMessage().contains("does not continue"), e.getMessage());
    assertEquals(2, nodeA.nextSeq("t1"));
    assertTrue(nodeA.findById("t1", staleOnA.get(2).id()).isEmpty());
  }

  /**
   * The writer's part, as the sequencer does it: seqs from the locked heads, tiles extended from
   * the stored right edge, all inside the commit transaction.
   */
  private static WriteBatch stage(
      EventStore store,
      Map<String, Long> heads,
      Map<String, Integer> counts,
      List<NewEvent> written) {
    List<TileWrite> tiles = new ArrayList<>();
    for (Map.Entry<String, Integer> t : counts.entrySet()) {
      String tenant = t.getKey();
      long first = heads.get(tenant);
      List<NewEvent> events = events(tenant, first, t.getValue());
      TileAppender appender =
          TileAppender.load(first, (level, index) -> store.readTile(tenant, level, index));
      for (Tile tile : appender.append(events.stream().map(NewEvent::leafHash).toList())) {
        tiles.add(new TileWrite(tenant, tile.level(), tile.index(), tile.hashes()));
      }
      written.addAll(events);
    }
    return WriteBatch.ofEvents(written, tiles);
  }

  private static List<TileWrite> tiles(String tenant, long first, int count) {
    return List.of(new TileWrite(tenant, 0, 0, new byte[32 * (int) (first + count)]));
  }

  static List<NewEvent> events(String tenant, long firstSeq, int count) {
    List<NewEvent> out = new ArrayList<>();
    for (long seq = firstSeq; seq < firstSeq + count; seq++) {
      String id = UUID.randomUUID().toString();
      String body = "{\"id\":\"" + id + "\",\"seq\":" + seq + ",\"tenant\":\"" + tenant + "\"}";
      out.add(
          new NewEvent(
              tenant,
              seq,
              id,
              System.currentTimeMillis() * 1_000,
              System.currentTimeMillis() * 1_000,
              "USER_LOGIN",
              "authentication",
              "APP",
              "success",
              "info",
              "actor-" + seq,
              null,
              null,
              Rfc6962.leafHash(body.getBytes(StandardCharsets.UTF_8)),
              body));
    }
    return out;
  }
}
