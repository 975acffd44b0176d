package dev.vellum.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.testing.TestNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tamper tests: a real data dir written by a node (300 events, signed checkpoints), changed behind
 * the server's back with plain JDBC; {@code vellum verify} must find each change and name the first
 * bad seq.
 */
class OfflineVerifyTest {
  @TempDir static Path base;

  /** 300 events, the last checkpoint covering them. */
  static Path live;

  /** The same log when it had 100 events: a backup an operator could restore. */
  static Path old;

  /** The checkpoint of size 300, as an auditor saved it. */
  static Path saved300;

  @TempDir Path work;

  @BeforeAll
  static void writeDataDirs() throws Exception {
    live = base.resolve("live");
    old = base.resolve("old");
    try (TestNode node = TestNode.start(live)) {
      assertEquals(99, Cli.ingest(node, 100, "first"));
      Cli.awaitCheckpoint(node, 100);
    }
    Cli.copyDir(live, old);
    try (TestNode node = TestNode.start(live)) {
      assertEquals(299, Cli.ingest(node, 200, "second"));
      saved300 = base.resolve("saved-300.txt");
      Files.writeString(saved300, Cli.awaitCheckpoint(node, 300));
    }
  }

  /** A fresh copy of the 300-event data dir to change. */
  private Path copy() {
    Path d = work.resolve("data");
    Cli.copyDir(live, d);
    return d;
  }

  private static Connection db(Path dataDir) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("vellum.db"));
  }

  private static Cli.Run verify(Path dataDir, String... more) {
    List<String> args =
        new ArrayList<>(List.of("verify", "--data-dir", dataDir.toString(), "--json"));
    args.addAll(List.of(more));
    return Cli.vellum(args.toArray(String[]::new));
  }

  private static JsonNode tenant(Cli.Run run) {
    return run.json().get("tenants").get(0);
  }

  private static String kinds(JsonNode tenant) {
    List<String> k = new ArrayList<>();
    tenant.get("findings").forEach(f -> k.add(f.get("kind").asText()));
    return String.join(",", k);
  }

  @Test
  void verify_cleanDataDir_exits0() {
    Cli.Run run = verify(live);
    assertEquals(0, run.exit(), run.output());
    JsonNode t = tenant(run);
    assertEquals("clean", run.json().get("result").asText());
    assertEquals(300, t.get("events").asLong());
    assertEquals(300, t.get("tree_size").asLong());
    assertTrue(t.get("checkpoints").asLong() >= 2, run.output());
    assertTrue(
        t.get("tiles").asLong() >= 3, run.output()); // tile/0/000, tile/0/001.p/44, tile/1/000.p/1
  }

  @Test
  void verify_changedByteInEventBody_exits1AndNamesSeq() throws Exception {
    Path d = copy();
    try (Connection c = db(d);
        PreparedStatement read =
            c.prepareStatement("SELECT body FROM events WHERE tenant = 'default' AND seq = 137")) {
      ResultSet rs = read.executeQuery();
      rs.next();
      String body = rs.getString(1);
      String changed = body.replace("second-37", "second-38"); // one byte of the actor id
      assertTrue(!changed.equals(body));
      try (PreparedStatement w =
          c.prepareStatement("UPDATE events SET body = ? WHERE tenant = 'default' AND seq = 137")) {
        w.setString(1, changed);
        assertEquals(1, w.executeUpdate());
      }
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(137, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertTrue(kinds(tenant(run)).startsWith("leaf_hash"), run.output());
  }

  @Test
  void verify_deletedRow_exits1AndNamesSeq() throws Exception {
    Path d = copy();
    try (Connection c = db(d);
        Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("DELETE FROM events WHERE tenant = 'default' AND seq = 200"));
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(200, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertTrue(kinds(tenant(run)).contains("seq_gap"), run.output());
  }

  @Test
  void verify_deletedLastRow_exits1AndNamesSeq() throws Exception {
    Path d = copy();
    try (Connection c = db(d);
        Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("DELETE FROM events WHERE tenant = 'default' AND seq = 299"));
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(299, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertTrue(kinds(tenant(run)).contains("checkpoint_size"), run.output());
  }

  @Test
  void verify_swappedRows_exits1AndNamesFirstSeq() throws Exception {
    Path d = copy();
    try (Connection c = db(d)) {
      c.setAutoCommit(false);
      byte[][] leaf = new byte[2][];
      String[] body = new String[2];
      try (PreparedStatement r =
          c.prepareStatement(
              "SELECT leaf_hash, body FROM events WHERE tenant = 'default' AND seq = ?")) {
        for (int i = 0; i < 2; i++) {
          r.setLong(1, 50 + i);
          ResultSet rs = r.executeQuery();
          rs.next();
          leaf[i] = rs.getBytes(1);
          body[i] = rs.getString(2);
        }
      }
      try (PreparedStatement w =
          c.prepareStatement(
              "UPDATE events SET leaf_hash = ?, body = ? WHERE tenant = 'default' AND seq = ?")) {
        for (int i = 0; i < 2; i++) {
          w.setBytes(1, leaf[1 - i]);
          w.setString(2, body[1 - i]);
          w.setLong(3, 50 + i);
          assertEquals(1, w.executeUpdate());
        }
      }
      c.commit();
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(50, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertTrue(kinds(tenant(run)).contains("body_seq"), run.output());
    assertTrue(kinds(tenant(run)).contains("tile"), run.output());
  }

  @Test
  void verify_alteredTile_exits1AndNamesSeqUnderTheHash() throws Exception {
    Path d = copy();
    try (Connection c = db(d)) {
      byte[] tile;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT hashes FROM log_tiles WHERE tenant = 'default' AND level = 0 AND idx = 0")) {
        rs.next();
        tile = rs.getBytes(1);
      }
      tile[42 * 32 + 7] ^= 1; // one bit of hash 42 = leaf 42
      try (PreparedStatement w =
          c.prepareStatement(
              "UPDATE log_tiles SET hashes = ? WHERE tenant = 'default' AND level = 0 AND idx = 0")) {
        w.setBytes(1, tile);
        assertEquals(1, w.executeUpdate());
      }
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(42, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertEquals("tile", kinds(tenant(run)), run.output());
  }

  /**
   * Whoever can write the database can also recompute the leaf hash and every tile: only the signed
   * checkpoints, which need the signing key, catch that.
   */
  @Test
  void verify_consistentRewriteOfEventLeafAndTiles_exits1ByCheckpointRoot() throws Exception {
    Path d = copy();
    try (Connection c = db(d)) {
      c.setAutoCommit(false);
      String body;
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery("SELECT body FROM events WHERE tenant = 'default' AND seq = 10")) {
        rs.next();
        body = rs.getString(1).replace("first-10", "first-XX");
      }
      try (PreparedStatement w =
          c.prepareStatement(
              "UPDATE events SET body = ?, leaf_hash = ? WHERE tenant = 'default' AND seq = 10")) {
        w.setString(1, body);
        w.setBytes(2, Rfc6962.leafHash(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, w.executeUpdate());
      }
      List<byte[]> leaves = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT leaf_hash FROM events WHERE tenant = 'default' ORDER BY seq")) {
        while (rs.next()) {
          leaves.add(rs.getBytes(1));
        }
      }
      try (PreparedStatement w =
          c.prepareStatement(
              "UPDATE log_tiles SET hashes = ? WHERE tenant = 'default' AND level = ? AND idx = ?")) {
        for (Tile t : new TileAppender(0, List.of()).append(leaves)) {
          w.setBytes(1, t.hashes());
          w.setInt(2, t.level());
          w.setLong(3, t.index());
          assertEquals(1, w.executeUpdate());
        }
      }
      c.commit();
    }
    Cli.Run run = verify(d);
    assertEquals(1, run.exit(), run.output());
    assertEquals(
        "checkpoint_root", tenant(run).get("findings").get(0).get("kind").asText(), run.output());
  }

  /**
   * A backup restored over the database is a valid, smaller log with valid checkpoints: only a
   * checkpoint saved outside (by an auditor or witness) shows that the log once was larger.
   */
  @Test
  void verify_databaseReplacedByOlderCopy_exits1WithSavedCheckpoint() {
    Cli.Run alone = verify(old);
    assertEquals(0, alone.exit(), alone.output());
    assertEquals(100, tenant(alone).get("tree_size").asLong());

    Cli.Run run = verify(old, "--checkpoint", saved300.toString());
    assertEquals(1, run.exit(), run.output());
    assertEquals(100, tenant(run).get("first_bad_seq").asLong(), run.output());
    assertEquals("saved_checkpoint_size", kinds(tenant(run)), run.output());
  }

  @Test
  void verify_savedCheckpointOfCurrentLog_exits0() {
    Cli.Run run = verify(live, "--checkpoint", saved300.toString());
    assertEquals(0, run.exit(), run.output());
    assertEquals(1, tenant(run).get("saved_checkpoints").asLong());
  }

  @Test
  void verify_trustedKeyNotMatchingKeyFile_exits1() {
    String other = dev.vellum.core.note.NoteSigner.generate("vellum.local/default").verifierKey();
    Cli.Run run = verify(live, "--trusted-key", other);
    assertEquals(1, run.exit(), run.output());
    assertTrue(kinds(tenant(run)).startsWith("signing_key"), run.output());
  }

  @Test
  void verify_textOutput_namesSeqAndSummary() throws Exception {
    Path d = copy();
    try (Connection c = db(d);
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM events WHERE tenant = 'default' AND seq = 7");
    }
    Cli.Run run = Cli.vellum("verify", "--data-dir", d.toString());
    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("TAMPERED, first bad seq 7"), run.output());
    assertTrue(run.output().contains("events/s): TAMPERING FOUND"), run.output());
  }

  @Test
  void verify_usageAndIoErrors_exit2() {
    assertEquals(2, Cli.vellum("verify").exit());
    assertEquals(2, Cli.vellum("verify", "--no-such-option").exit());
    assertEquals(
        2,
        Cli.vellum("verify", "--data-dir", live.toString(), "--url", "http://127.0.0.1:1").exit());
    Cli.Run missing = Cli.vellum("verify", "--data-dir", work.resolve("nothing").toString());
    assertEquals(2, missing.exit(), missing.output());
    assertTrue(missing.output().contains("no database"), missing.output());
  }
}
