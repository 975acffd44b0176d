package dev.vellum.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.merkle.Tile;
import dev.vellum.core.merkle.TileAppender;
import dev.vellum.core.merkle.TileMath;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * Checks a data dir without the server: rebuilds every tenant's Merkle tree from the stored event
 * bodies and compares it with the stored tiles, the stored signed checkpoints and any checkpoints
 * saved earlier by an auditor. Opens the database read-only and never writes; reads each tenant in
 * one read transaction, so it may run against a live node's data dir. Memory stays constant in the
 * number of events.
 */
final class OfflineVerifier {

  /*
   * The replay streams events in seq order and, for each, checks what the row alone can prove
   * (seq contiguity, the body's own "seq" and "tenant", the leaf hash = SHA-256(0x00 ‖ body)) and
   * appends the recomputed leaf to a fresh TileAppender in batches that end on tile boundaries
   * (every 256 leaves) and on checkpoint sizes. Every full tile the appender emits is compared
   * with the stored row at once; partial tiles only at the end, against the right edge stored for
   * the final size. At each checkpoint size the appender's root is compared with the signed root,
   * which is what catches a consistent rewrite of events, leaf hashes and tiles together.
   * A gap in seq stops the tree (every later leaf would be shifted) but not the per-row checks.
   */

  static final String DB_FILE = "vellum.db";
  private static final int H = Rfc6962.HASH_SIZE;

  /** Rows per round trip when the driver would otherwise read a whole result into memory. */
  private static final int FETCH_SIZE = 2_000;

  /** A checkpoint an auditor saved earlier, with its origin's tenant; the signature is checked. */
  record SavedCheckpoint(Path file, String note, Checkpoint checkpoint, String tenant) {}

  private final Path dataDir;
  private final @Nullable String onlyTenant;
  private final LogKeys keys;
  private final List<Path> savedFiles;
  private final JsonFactory jsonFactory = new JsonFactory();

  OfflineVerifier(
      Path dataDir, @Nullable String onlyTenant, List<String> trustedKeys, List<Path> savedFiles)
      throws VerifyException {
    this.dataDir = dataDir;
    this.onlyTenant = onlyTenant;
    this.keys = LogKeys.load(dataDir, trustedKeys);
    this.savedFiles = savedFiles;
  }

  /** Runs every check and returns what it found. */
  OfflineReport run() throws VerifyException {
    long start = System.nanoTime();
    Path db = dataDir.resolve(DB_FILE);
    if (!Files.isRegularFile(db)) {
      throw new VerifyException("no database at " + db.toAbsolutePath());
    }
    List<SavedCheckpoint> saved = readSaved();
    List<TenantResult> results;
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setReadOnly(true);
    cfg.setBusyTimeout(15_000);
    try (Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), cfg.toProperties())) {
      c.setAutoCommit(false); // one read transaction: a consistent snapshot even of a live node
      results = check(c, saved);
      c.rollback();
    } catch (SQLException e) {
      throw new VerifyException("cannot read " + db.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    return new OfflineReport(dataDir, results, System.nanoTime() - start);
  }

  /**
   * Runs every check on the log tables that {@code c} reaches, in the transaction it is in: the
   * SQLite file above, or a PostgreSQL schema (the SQL is portable; {@code vellum migrate} checks
   * its copy, inside the copying transaction, this way). Streams rows with a bounded fetch size.
   */
  List<TenantResult> check(Connection c, List<SavedCheckpoint> saved)
      throws SQLException, VerifyException {
    List<TenantResult> results = new ArrayList<>();
    TreeSet<String> tenants = tenants(c);
    for (SavedCheckpoint s : saved) {
      tenants.add(s.tenant());
    }
    if (onlyTenant != null) {
      tenants.retainAll(List.of(onlyTenant));
      tenants.add(onlyTenant);
    }
    for (String t : tenants) {
      List<SavedCheckpoint> mine = new ArrayList<>();
      for (SavedCheckpoint s : saved) {
        if (s.tenant().equals(t)) {
          mine.add(s);
        }
      }
      results.add(new Replay(c, t, mine).run());
    }
    return results;
  }

  private List<SavedCheckpoint> readSaved() throws VerifyException {
    List<SavedCheckpoint> out = new ArrayList<>();
    for (Path f : savedFiles) {
      String note;
      try {
        note = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new VerifyException("cannot read saved checkpoint " + f + ": " + e.getMessage(), e);
      }
      Checkpoint unverified;
      try {
        int split = note.lastIndexOf("\n\n");
        unverified = Checkpoint.parse(split < 0 ? note : note.substring(0, split + 1));
      } catch (NoteException e) {
        throw new VerifyException(f + " is not a signed checkpoint: " + e.getMessage(), e);
      }
      String tenant = LogKeys.tenantOf(unverified.origin());
      if (tenant == null) {
        throw new VerifyException(
            f
                + " is a checkpoint of log \""
                + unverified.origin()
                + "\", whose origin does not end in /<tenant>");
      }
      if (onlyTenant != null && !onlyTenant.equals(tenant)) {
        throw new VerifyException(
            f
                + " is a checkpoint of tenant "
                + tenant
                + ", but --tenant "
                + onlyTenant
                + " was asked for");
      }
      out.add(new SavedCheckpoint(f, note, unverified, tenant));
    }
    out.sort(Comparator.comparingLong(s -> s.checkpoint().size()));
    return out;
  }

  /** Every tenant named by an event, tile, checkpoint or the tenants table. */
  @SuppressWarnings("NonApiType") // the sorted order is the contract: tenants are reported by name
  private static TreeSet<String> tenants(Connection c) throws SQLException {
    TreeSet<String> out = new TreeSet<>();
    for (String table : List.of("events", "log_tiles", "log_checkpoints")) {
      // skip-scan over the (tenant, …) index: one seek per tenant, not one step per row
      try (PreparedStatement ps =
          c.prepareStatement("SELECT min(tenant) FROM " + table + " WHERE tenant > ?")) {
        String last = "";
        while (true) {
          ps.setString(1, last);
          try (ResultSet rs = ps.executeQuery()) {
            String t = rs.next() ? rs.getString(1) : null;
            if (t == null) {
              break;
            }
            out.add(t);
            last = t;
          }
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM tenants");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException noTenantsTable) {
      // an engine-neutral check: the log tables are what matter
    }
    return out;
  }

  static String hex(byte[] b) {
    return b == null ? "none" : HexFormat.of().formatHex(b);
  }

  /** The replay of one tenant's log. */
  private final class Replay {
    private final Connection c;
    private final String tenant;
    private final List<SavedCheckpoint> saved;
    private final TenantResult r;
    private @Nullable NoteVerifier verifier;
    private @Nullable String origin;
    private final TileAppender appender = new TileAppender(0, List.of());
    private final List<byte[]> batch = new ArrayList<>(TileMath.WIDTH);
    private final Map<Integer, Tile> edge = new HashMap<>();
    private @Nullable PreparedStatement tileQuery;
    private @Nullable ResultSet checkpoints;
    private boolean checkpointPending;
    private int nextSaved;
    private long boundary;
    private long lastGoodCheckpoint;

    Replay(Connection c, String tenant, List<SavedCheckpoint> saved) {
      this.c = c;
      this.tenant = tenant;
      this.saved = saved;
      this.r = new TenantResult(tenant);
    }

    TenantResult run() throws SQLException, VerifyException {
      origin = keys.origin(tenant, firstOrigin());
      verifier = keys.verifier(tenant, origin);
      checkKeys();
      verifySavedSignatures();
      try (PreparedStatement tq =
              c.prepareStatement(
                  "SELECT hashes FROM log_tiles WHERE tenant = ? AND level = ? AND idx = ?");
          PreparedStatement cq =
              c.prepareStatement(
                  "SELECT tree_size, root_hash, note FROM log_checkpoints WHERE tenant = ?"
                      + " ORDER BY tree_size");
          PreparedStatement eq =
              c.prepareStatement(
                  "SELECT seq, leaf_hash, body FROM events WHERE tenant = ? ORDER BY seq")) {
        tileQuery = tq;
        cq.setFetchSize(FETCH_SIZE);
        eq.setFetchSize(FETCH_SIZE); // PostgreSQL streams only with a fetch size
        tq.setString(1, tenant);
        cq.setString(1, tenant);
        eq.setString(1, tenant);
        try (ResultSet cps = cq.executeQuery();
            ResultSet events = eq.executeQuery()) {
          checkpoints = cps;
          checkpointPending = cps.next();
          if (checkpointPending && verifier == null) {
            throw new VerifyException(
                "tenant "
                    + tenant
                    + " has signed checkpoints but there is"
                    + " no key to check them: no "
                    + LogKeys.KEY_FILE
                    + " in "
                    + dataDir
                    + " and no --trusted-key named <log name>/"
                    + tenant);
          }
          captureAt(0);
          boolean treeOk = replay(events);
          if (treeOk) {
            finishTree();
          } else {
            while (checkpointPending) {
              signedCheckpoint(); // the signature can still be checked, the root cannot
              checkpointPending = checkpoints.next();
            }
          }
        }
      }
      return r;
    }

    /** The origin line of the tenant's first stored checkpoint, unverified; or null. */
    private @Nullable String firstOrigin() throws SQLException {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT note FROM log_checkpoints WHERE tenant = ? ORDER BY tree_size LIMIT 1")) {
        ps.setString(1, tenant);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            String note = rs.getString(1);
            int nl = note == null ? -1 : note.indexOf('\n');
            return nl > 0 ? note.substring(0, nl) : null;
          }
        }
      }
      for (SavedCheckpoint s : saved) {
        return s.checkpoint().origin();
      }
      return null;
    }

    private void checkKeys() {
      String origin = Objects.requireNonNull(this.origin, "set by run() before the checks");
      NoteVerifier trusted = keys.trustedKey(tenant, origin);
      String derived = keys.derivedKey(origin);
      if (trusted != null && derived != null && !trusted.toString().equals(derived)) {
        r.add(
            new Finding(
                "signing_key",
                Finding.NO_SEQ,
                trusted.toString(),
                derived,
                "the data dir's "
                    + LogKeys.KEY_FILE
                    + " is not the trusted key of "
                    + tenant
                    + ": the signing key was replaced"));
      }
    }

    private void verifySavedSignatures() throws VerifyException {
      List<SavedCheckpoint> good = new ArrayList<>();
      for (SavedCheckpoint s : saved) {
        if (verifier == null) {
          throw new VerifyException(
              "no key to check saved checkpoint "
                  + s.file()
                  + ": no "
                  + LogKeys.KEY_FILE
                  + " in "
                  + dataDir
                  + " and no --trusted-key named "
                  + s.checkpoint().origin());
        }
        try {
          verifier.verifyCheckpoint(s.note());
          good.add(s);
        } catch (NoteException e) {
          r.add(
              new Finding(
                  "saved_checkpoint_signature",
                  Finding.NO_SEQ,
                  null,
                  null,
                  "saved checkpoint "
                      + s.file()
                      + " does not verify with "
                      + verifier
                      + ": "
                      + e.getMessage()
                      + " (the log's key was replaced, or the file was altered)"));
        }
      }
      saved.retainAll(good);
    }

    /** Streams the events; false if a gap in seq stopped the tree. */
    private boolean replay(ResultSet events) throws SQLException {
      boolean treeOk = true;
      long expect = 0;
      while (events.next()) {
        long seq = events.getLong(1);
        byte[] storedLeaf = events.getBytes(2);
        // the body's UTF-8 bytes as stored: what the leaf hash commits to, with no decoding
        byte[] body = events.getBytes(3);
        r.events++;
        if (seq > expect && treeOk && archivedFromTiles(expect, seq)) {
          expect = seq;
        }
        if (seq != expect) {
          if (seq > expect) {
            r.add(
                new Finding(
                    "seq_gap",
                    expect,
                    "seq " + expect,
                    "seq " + seq,
                    (seq - expect == 1
                            ? "event " + expect + " is missing"
                            : "events " + expect + ".." + (seq - 1) + " are missing")
                        + "; the tree cannot be rebuilt past it"));
          } else {
            r.add(
                new Finding(
                    "seq_order",
                    seq,
                    "seq " + expect,
                    "seq " + seq,
                    "seq " + seq + " is stored twice"));
          }
          if (treeOk) {
            flush();
            treeOk = false;
          }
        }
        if (!looksLikeOwnBody(seq, body)) {
          checkBody(seq, new String(body, StandardCharsets.UTF_8));
        }
        byte[] leaf = Rfc6962.leafHash(body);
        if (!Arrays.equals(leaf, storedLeaf)) {
          r.add(
              new Finding(
                  "leaf_hash",
                  seq,
                  hex(leaf),
                  hex(storedLeaf),
                  "the stored leaf hash is not SHA-256(0x00 ‖ body): the body or the hash was"
                      + " changed"));
        }
        if (treeOk) {
          batch.add(leaf);
          if (seq + 1 == boundary) {
            flush();
          }
        }
        expect = seq + 1;
      }
      if (treeOk) {
        long end = deletedEnd();
        if (end > expect && !archivedFromTiles(expect, end)) {
          r.add(
              new Finding(
                  "seq_gap",
                  expect,
                  "seq " + expect,
                  "none",
                  "the newest events from "
                      + expect
                      + " are missing and not recorded as archived"));
          treeOk = false;
        }
      }
      if (treeOk) {
        flush();
      }
      return treeOk;
    }

    /**
     * Hot retention deleted events {@code [from, to)} after archiving them (each is recorded in
     * {@code events_deleted_ids}): their leaves are taken from the stored level-0 tiles so the tree
     * can be rebuilt past them. Their bodies are checked against those leaves by {@code vellum
     * archive verify}, not here. False (nothing added) if any of them is not recorded as deleted or
     * its tile is missing.
     */
    private boolean archivedFromTiles(long from, long to) throws SQLException {
      if (!hasDeletedIds()) {
        return false;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT count(*) FROM events_deleted_ids WHERE tenant = ? AND seq >= ? AND seq < ?")) {
        ps.setString(1, tenant);
        ps.setLong(2, from);
        ps.setLong(3, to);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || rs.getLong(1) != to - from) {
            return false;
          }
        }
      }
      List<byte[]> leaves = new ArrayList<>();
      PreparedStatement tq = Objects.requireNonNull(tileQuery, "opened by run()");
      byte[] tile = null;
      long tileIndex = -1;
      for (long s = from; s < to; s++) {
        if (s / TileMath.WIDTH != tileIndex) {
          tileIndex = s / TileMath.WIDTH;
          tq.setInt(2, 0);
          tq.setLong(3, tileIndex);
          try (ResultSet rs = tq.executeQuery()) {
            tile = rs.next() ? rs.getBytes(1) : null;
          }
        }
        int offset = (int) (s % TileMath.WIDTH) * 32;
        if (tile == null || tile.length < offset + 32) {
          return false;
        }
        leaves.add(Arrays.copyOfRange(tile, offset, offset + 32));
      }
      for (int i = 0; i < leaves.size(); i++) {
        batch.add(leaves.get(i));
        r.archived++;
        if (from + i + 1 == boundary) {
          flush();
        }
      }
      return true;
    }

    /** One past the largest seq hot retention deleted, 0 if none. */
    private long deletedEnd() throws SQLException {
      if (!hasDeletedIds()) {
        return 0;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT coalesce(max(seq) + 1, 0) FROM events_deleted_ids WHERE tenant = ?")) {
        ps.setString(1, tenant);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }

    private @Nullable Boolean deletedIds;

    /** Whether the data dir's schema has hot retention's table (older ones do not). */
    private boolean hasDeletedIds() throws SQLException {
      Boolean known = deletedIds;
      if (known == null) {
        // through the driver's catalogue: the same check on SQLite and on PostgreSQL (migrate)
        try (ResultSet rs =
            c.getMetaData().getTables(null, c.getSchema(), "events_deleted_ids", null)) {
          known = rs.next();
        }
        deletedIds = known;
      }
      return known;
    }

    /**
     * A cheap check for the common case, sparing a full JSON walk per event (most of the time
     * verification takes otherwise). The server writes bodies in RFC 8785 form: members sorted by
     * name, so the top-level {@code "seq"} and {@code "tenant"} are the last of their names in the
     * text (only members sorting before them, like metadata, can nest such names), and a quote
     * inside a string is always escaped, so {@code ,"seq":} cannot come from string content. A body
     * that fails this check is walked in full, which names the exact problem. The leaf hash and
     * tree checks do not depend on it.
     */
    private boolean looksLikeOwnBody(long seq, byte[] body) {
      if (body.length < 2
          || body[0] != '{'
          || body[body.length - 1] != '}'
          || tenant.chars().anyMatch(c -> c == '"' || c == '\\' || c > 0x7e)) {
        return false;
      }
      int seqAt = lastIndexOf(body, SEQ_MEMBER);
      int tenantAt = lastIndexOf(body, TENANT_MEMBER);
      return seqAt >= 0
          && tenantAt > seqAt
          && startsWith(body, seqAt, (",\"seq\":" + seq + ",").getBytes(StandardCharsets.US_ASCII))
          && startsWith(
              body,
              tenantAt,
              (",\"tenant\":\"" + tenant + "\"").getBytes(StandardCharsets.US_ASCII));
    }

    private static int lastIndexOf(byte[] text, byte[] pattern) {
      for (int i = text.length - pattern.length; i >= 0; i--) {
        if (startsWith(text, i, pattern)) {
          return i;
        }
      }
      return -1;
    }

    private static boolean startsWith(byte[] text, int at, byte[] pattern) {
      if (at < 0 || at + pattern.length > text.length) {
        return false;
      }
      for (int k = 0; k < pattern.length; k++) {
        if (text[at + k] != pattern[k]) {
          return false;
        }
      }
      return true;
    }

    private static final byte[] SEQ_MEMBER = ",\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TENANT_MEMBER = ",\"tenant\":".getBytes(StandardCharsets.US_ASCII);

    private void checkBody(long seq, String body) {
      boolean seqSeen = false;
      boolean tenantSeen = false;
      try (JsonParser p = jsonFactory.createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          r.add(new Finding("body_json", seq, null, null, "the stored body is not a JSON object"));
          return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if (name.equals("seq")) {
            seqSeen = true;
            String actual = t == JsonToken.VALUE_NUMBER_INT ? p.getText() : t + " " + p.getText();
            if (!actual.equals(Long.toString(seq))) {
              r.add(
                  new Finding(
                      "body_seq",
                      seq,
                      Long.toString(seq),
                      actual,
                      "the stored body says it is another event: events were moved or swapped"));
            }
          } else if (name.equals("tenant")) {
            tenantSeen = true;
            String actual = t == JsonToken.VALUE_STRING ? p.getText() : t + " " + p.getText();
            if (!actual.equals(tenant)) {
              r.add(
                  new Finding(
                      "body_tenant",
                      seq,
                      tenant,
                      actual,
                      "the stored body belongs to another tenant"));
            }
          } else {
            p.skipChildren();
          }
        }
        if (p.nextToken() != null) {
          r.add(new Finding("body_json", seq, null, null, "the stored body has trailing data"));
        }
      } catch (IOException e) {
        r.add(
            new Finding(
                "body_json",
                seq,
                null,
                null,
                "the stored body is not valid JSON: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
        return;
      }
      if (!seqSeen || !tenantSeen) {
        r.add(
            new Finding(
                "body_members",
                seq,
                null,
                null,
                "the stored body lacks its " + (seqSeen ? "\"tenant\"" : "\"seq\"") + " member"));
      }
    }

    /** Appends the batch, checks the full tiles it completed and any checkpoint at the new size. */
    private void flush() throws SQLException {
      if (!batch.isEmpty()) {
        for (Tile t : appender.append(batch)) {
          if (t.width() == TileMath.WIDTH) {
            compareTile(t);
            Tile e = edge.get(t.level());
            if (e != null && e.index() == t.index()) {
              edge.remove(t.level());
            }
          } else {
            edge.put(t.level(), t);
          }
        }
        batch.clear();
      }
      captureAt(appender.size());
    }

    /**
     * Checks every checkpoint of size {@code size} (the tree's current size) and sets the next
     * boundary.
     */
    private void captureAt(long size) throws SQLException {
      ResultSet checkpoints = Objects.requireNonNull(this.checkpoints, "opened by run()");
      byte[] root = null;
      while (checkpointPending && checkpoints.getLong(1) <= size) {
        if (checkpoints.getLong(1) == size) {
          root = root != null ? root : appender.root();
          Checkpoint cp = signedCheckpoint();
          if (cp != null && cp.size() == size) {
            if (Arrays.equals(cp.rootHash(), root)) {
              lastGoodCheckpoint = size;
            } else {
              r.add(
                  new Finding(
                      "checkpoint_root",
                      Finding.NO_SEQ,
                      hex(cp.rootHash()),
                      hex(root),
                      "the signed checkpoint of size "
                          + size
                          + " has another root than the tree of"
                          + " the stored events: some event in seqs "
                          + lastGoodCheckpoint
                          + ".."
                          + (size - 1)
                          + " was changed and its leaf hash and tiles rewritten to"
                          + " match"));
            }
          }
        }
        checkpointPending = checkpoints.next();
      }
      while (nextSaved < saved.size() && saved.get(nextSaved).checkpoint().size() == size) {
        root = root != null ? root : appender.root();
        SavedCheckpoint s = saved.get(nextSaved++);
        r.savedCheckpoints++;
        if (!Arrays.equals(s.checkpoint().rootHash(), root)) {
          r.add(
              new Finding(
                  "saved_checkpoint_root",
                  Finding.NO_SEQ,
                  hex(s.checkpoint().rootHash()),
                  hex(root),
                  "the saved checkpoint "
                      + s.file()
                      + " of size "
                      + size
                      + " has another root than"
                      + " the log at that size: the log was rewritten or forked after it was saved"));
        }
      }
      long next = (size / TileMath.WIDTH + 1) * TileMath.WIDTH;
      if (checkpointPending) {
        next = Math.min(next, checkpoints.getLong(1));
      }
      if (nextSaved < saved.size()) {
        next = Math.min(next, saved.get(nextSaved).checkpoint().size());
      }
      boundary = next;
    }

    /** Verifies the current checkpoint row's signature and columns; null if the note is bad. */
    private @Nullable Checkpoint signedCheckpoint() throws SQLException {
      ResultSet checkpoints = Objects.requireNonNull(this.checkpoints, "opened by run()");
      // run() refuses a tenant with signed checkpoints and no key
      NoteVerifier verifier = Objects.requireNonNull(this.verifier, "checked by run()");
      long rowSize = checkpoints.getLong(1);
      byte[] rowRoot = checkpoints.getBytes(2);
      String note = checkpoints.getString(3);
      r.checkpoints++;
      Checkpoint cp;
      try {
        cp = verifier.verifyCheckpoint(note);
      } catch (NoteException e) {
        r.add(
            new Finding(
                "checkpoint_signature",
                Finding.NO_SEQ,
                null,
                null,
                "the stored checkpoint of size "
                    + rowSize
                    + " does not verify with "
                    + verifier
                    + ": "
                    + e.getMessage()));
        return null;
      }
      if (cp.size() != rowSize || !Arrays.equals(cp.rootHash(), rowRoot)) {
        r.add(
            new Finding(
                "checkpoint_row",
                Finding.NO_SEQ,
                cp.size() + " " + hex(cp.rootHash()),
                rowSize + " " + hex(rowRoot),
                "the log_checkpoints row's tree_size/root_hash differ from its signed note"));
      }
      return cp;
    }

    private void compareTile(Tile computed) throws SQLException {
      PreparedStatement tileQuery = Objects.requireNonNull(this.tileQuery, "opened by run()");
      r.tiles++;
      tileQuery.setInt(2, computed.level());
      tileQuery.setLong(3, computed.index());
      byte[] stored;
      try (ResultSet rs = tileQuery.executeQuery()) {
        stored = rs.next() ? rs.getBytes(1) : null;
      }
      byte[] want = computed.hashes();
      if (stored == null) {
        r.add(
            new Finding(
                "tile_missing",
                computed.level() == 0 ? firstLeaf(0, computed.index(), 0) : Finding.NO_SEQ,
                computed.path().toString(),
                "none",
                "tile " + computed.path() + " is not stored"));
        return;
      }
      if (Arrays.equals(stored, want)) {
        return;
      }
      int common = Math.min(stored.length, want.length) / H;
      for (int i = 0; i < common; i++) {
        if (!Arrays.equals(stored, i * H, i * H + H, want, i * H, i * H + H)) {
          long from = firstLeaf(computed.level(), computed.index(), i);
          long to =
              Math.min(firstLeaf(computed.level(), computed.index(), i + 1), appender.size()) - 1;
          // a level-0 hash is one leaf; a higher one spans many, and naming the first of its
          // range as "bad" would blame an event that may be intact: the range is in the detail
          r.add(
              new Finding(
                  "tile",
                  computed.level() == 0 ? from : Finding.NO_SEQ,
                  hex(Arrays.copyOfRange(want, i * H, i * H + H)),
                  hex(Arrays.copyOfRange(stored, i * H, i * H + H)),
                  "hash "
                      + i
                      + " of stored tile "
                      + computed.path()
                      + " (over seqs "
                      + from
                      + (to > from ? ".." + to : "")
                      + ") differs from the tree of the stored events"));
          return;
        }
      }
      r.add(
          new Finding(
              "tile",
              computed.level() == 0 ? firstLeaf(0, computed.index(), common) : Finding.NO_SEQ,
              computed.width() + " hashes",
              stored.length / H
                  + " hashes"
                  + (stored.length % H != 0 ? " and " + stored.length % H + " bytes" : ""),
              "stored tile "
                  + computed.path()
                  + " has the wrong width for "
                  + appender.size()
                  + " events"));
    }

    /** The first leaf (seq) under hash {@code i} of tile ({@code level}, {@code index}). */
    private long firstLeaf(int level, long index, int i) {
      return (index * TileMath.WIDTH + i) << (TileMath.HEIGHT * level);
    }

    /** After the last event: right-edge tiles, extra tiles, checkpoints beyond the tree. */
    private void finishTree() throws SQLException {
      long n = appender.size();
      r.treeSize = n;
      r.root = appender.root();
      for (int l = 0; l < TileMath.tileLevels(n); l++) {
        Tile e = edge.get(l);
        if (TileMath.partialWidth(l, n) > 0 && e != null) {
          compareTile(e);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT level, idx, length(hashes) FROM log_tiles WHERE tenant = ? ORDER BY level, idx")) {
        ps.setString(1, tenant);
        ps.setFetchSize(FETCH_SIZE);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            int level = rs.getInt(1);
            long idx = rs.getLong(2);
            if (level >= TileMath.tileLevels(n) || idx >= TileMath.tileCount(level, n)) {
              String path =
                  level <= 63 && idx >= 0
                      ? new TilePath(level, idx, Math.max(1, Math.min(256, rs.getInt(3) / H)))
                          .toString()
                      : "level " + level + " index " + idx;
              r.add(
                  new Finding(
                      "tile_extra",
                      Math.min(n, level <= 7 ? firstLeaf(level, idx, 0) : n),
                      "none",
                      path,
                      "a tile is stored beyond the tree of "
                          + n
                          + " events: events at the end were removed"));
            }
          }
        }
      }
      ResultSet checkpoints = Objects.requireNonNull(this.checkpoints, "opened by run()");
      while (checkpointPending) {
        Checkpoint cp = signedCheckpoint();
        if (cp != null) {
          r.add(
              new Finding(
                  "checkpoint_size",
                  n,
                  "at most " + n,
                  Long.toString(cp.size()),
                  "a signed checkpoint covers "
                      + cp.size()
                      + " events but only "
                      + n
                      + " are stored: events from seq "
                      + n
                      + " on were removed"));
        }
        checkpointPending = checkpoints.next();
      }
      for (int i = nextSaved; i < saved.size(); i++) {
        SavedCheckpoint s = saved.get(i);
        r.savedCheckpoints++;
        r.add(
            new Finding(
                "saved_checkpoint_size",
                n,
                "at least " + s.checkpoint().size(),
                Long.toString(n),
                "the saved checkpoint "
                    + s.file()
                    + " covers "
                    + s.checkpoint().size()
                    + " events but the log has only "
                    + n
                    + ": the log was rolled back or truncated"));
      }
    }
  }
}
