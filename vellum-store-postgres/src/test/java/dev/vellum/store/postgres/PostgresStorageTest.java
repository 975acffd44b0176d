package dev.vellum.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.store.NewEvent;
import dev.vellum.store.StoreException;
import dev.vellum.store.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is particular to the PostgreSQL engine: COPY encoding, partitions, start-up failures. */
class PostgresStorageTest {
  private final TestSchemas schemas = new TestSchemas();
  private String schema;
  private PostgresEventStore store;

  @BeforeEach
  void open() {
    schema = schemas.newSchema();
    store = new PostgresEventStore(PostgresDatabase.open(TestSchemas.settings(schema, 3)));
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    schemas.dropAll();
  }

  @Test
  void bodiesWithControlCharactersBackslashesAndNonAsciiTextComeBackByteForByte() {
    String body =
        "{\"reason\":\"tab\\there\\nnew line \\\\ back\\u0001 \t raw tab\\r\",\"n\":\"Zoë 日本 🙂\"}";
    NewEvent e = withBody(MultiWriter.events("t1", 0, 1).get(0), body);
    store.append(WriteBatch.ofEvents(List.of(e), List.of()));
    assertEquals(body, store.findById("t1", e.id()).orElseThrow().body());
    assertEquals(body, store.after(0, 1).get(0).event().body());
  }

  @Test
  void eventsLandInThePartitionOfTheMonthTheyWereReceivedIn() throws Exception {
    long march2026 = Partitions.startMicros(YearMonth.of(2026, 3)) + 5_000_000L;
    long april2026 = Partitions.startMicros(YearMonth.of(2026, 4));
    List<NewEvent> events = new ArrayList<>();
    events.add(receivedAt(MultiWriter.events("t1", 0, 1).get(0), march2026));
    events.add(receivedAt(MultiWriter.events("t1", 1, 1).get(0), april2026));
    store.append(WriteBatch.ofEvents(events, List.of()));
    try (Connection c =
            DriverManager.getConnection(TestSchemas.URL, TestSchemas.USER, TestSchemas.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT seq, tableoid::regclass::text FROM " + schema + ".events ORDER BY seq")) {
      rs.next();
      assertTrue(rs.getString(2).endsWith("events_p202603"), rs.getString(2));
      rs.next();
      assertTrue(rs.getString(2).endsWith("events_p202604"), rs.getString(2));
    }
  }

  @Test
  void theCurrentMonthAndTheNextTwoHavePartitionsFromTheStart() throws Exception {
    YearMonth now = Partitions.monthOf(System.currentTimeMillis() * 1_000);
    try (Connection c =
            DriverManager.getConnection(TestSchemas.URL, TestSchemas.USER, TestSchemas.PASSWORD);
        Statement s = c.createStatement()) {
      for (int i = 0; i <= Partitions.MONTHS_AHEAD; i++) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT to_regclass('"
                    + schema
                    + "."
                    + Partitions.nameOf(now.plusMonths(i))
                    + "') IS NOT NULL")) {
          rs.next();
          assertTrue(rs.getBoolean(1), Partitions.nameOf(now.plusMonths(i)));
        }
      }
    }
  }

  /**
   * The database connection dies in the middle of a commit (here: terminated by an operator while
   * the writer holds the tenant lock): the append fails as unavailable (the node answers 503),
   * nothing of the batch is visible, and the store works again with a new connection.
   */
  @Test
  void aConnectionLostMidCommitFailsAsUnavailableAndLeavesNothingVisible() throws Exception {
    store.append(WriteBatch.ofEvents(MultiWriter.events("t1", 0, 2), List.of()));
    long before = store.lastPosition();
    List<NewEvent> lost = MultiWriter.events("t1", 2, 3);
    StoreException e =
        assertThrows(
            StoreException.class,
            () ->
                store.append(
                    java.util.Set.of("t1"),
                    heads -> {
                      terminateTheWriter();
                      return WriteBatch.ofEvents(lost, List.of());
                    }));
    assertTrue(e.unavailable(), e.getMessage());
    assertEquals(before, store.lastPosition());
    assertEquals(2, store.nextSeq("t1"));
    assertTrue(store.findById("t1", lost.get(0).id()).isEmpty());
    store.append(WriteBatch.ofEvents(MultiWriter.events("t1", 2, 1), List.of()));
    assertEquals(3, store.nextSeq("t1"));
  }

  /** Ends the backend that holds this schema's tenant_heads lock (the writer's, mid-commit). */
  private void terminateTheWriter() {
    try (Connection c =
            DriverManager.getConnection(TestSchemas.URL, TestSchemas.USER, TestSchemas.PASSWORD);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
                    + " JOIN pg_class r ON r.oid = l.relation"
                    + " JOIN pg_namespace n ON n.oid = r.relnamespace"
                    + " WHERE n.nspname = '"
                    + schema
                    + "' AND r.relname = 'tenant_heads' AND l.mode = 'RowShareLock'")) {
      assertTrue(rs.next(), "the writer's backend holds the tenant lock");
      assertTrue(rs.getBoolean(1));
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anUnreachableServerFailsTheOpenAsUnreachableWithTheUrlAndNoPassword() {
    PostgresSettings bad =
        new PostgresSettings(
            "jdbc:postgresql://127.0.0.1:1/test?password=secret", "postgres", null, schema, 2);
    PostgresDatabase.OpenException e =
        assertThrows(PostgresDatabase.OpenException.class, () -> PostgresDatabase.open(bad));
    assertEquals(PostgresDatabase.Failure.UNREACHABLE, e.failure());
    assertTrue(
        e.getMessage().startsWith("cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/test:"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void aSchemaThatCannotBeMigratedFailsTheOpenAsAMigrationFailure() throws Exception {
    String broken = schemas.newSchema();
    try (Connection c =
            DriverManager.getConnection(TestSchemas.URL, TestSchemas.USER, TestSchemas.PASSWORD);
        Statement s = c.createStatement()) {
      // a table of the same name that is not Vellum's: the first migration cannot create it
      s.execute("CREATE SCHEMA " + broken);
      s.execute("CREATE TABLE " + broken + ".tenants (x int)");
    }
    PostgresDatabase.OpenException e =
        assertThrows(
            PostgresDatabase.OpenException.class,
            () -> PostgresDatabase.open(TestSchemas.settings(broken, 2)));
    assertEquals(PostgresDatabase.Failure.MIGRATION, e.failure());
    assertTrue(e.getMessage().startsWith("cannot migrate the Vellum schema"), e.getMessage());
  }

  private static NewEvent withBody(NewEvent e, String body) {
    return new NewEvent(
        e.tenant(),
        e.seq(),
        e.id(),
        e.occurredAtMicros(),
        e.receivedAtMicros(),
        e.type(),
        e.category(),
        e.source(),
        e.outcome(),
        e.severity(),
        e.actorId(),
        e.actorIp(),
        e.sessionId(),
        Rfc6962.leafHash(body.getBytes(StandardCharsets.UTF_8)),
        body);
  }

  static NewEvent receivedAt(NewEvent e, long micros) {
    return new NewEvent(
        e.tenant(),
        e.seq(),
        e.id(),
        e.occurredAtMicros(),
        micros,
        e.type(),
        e.category(),
        e.source(),
        e.outcome(),
        e.severity(),
        e.actorId(),
        e.actorIp(),
        e.sessionId(),
        e.leafHash(),
        e.body());
  }

  /** The event factory of the multi-writer test. */
  private static final class MultiWriter {
    static List<NewEvent> events(String tenant, long firstSeq, int count) {
      return PostgresMultiWriterTest.events(tenant, firstSeq, count);
    }
  }
}
