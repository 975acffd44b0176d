package dev.vellum.store.postgres;

import dev.vellum.store.DirectoryStore.Change;
import dev.vellum.store.DirectoryStore.Subscription;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears the directory changes every node commits ({@code NOTIFY}, sent in the changing transaction)
 * on a connection of its own, and hands them to the node's caches. A broken connection is replaced
 * after a pause; since notifications sent meanwhile are lost, each (re)connection is reported as
 * {@link Change#all()} so that the caches drop everything.
 */
final class DirectoryListener implements Subscription {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryListener.class);
  private static final int POLL_MILLIS = 500;
  private static final int CHECK_EVERY_POLLS = 10;
  private static final long RECONNECT_PAUSE_MILLIS = 1_000;
  private static final String SEPARATOR = "\t";

  private final PostgresDatabase db;
  private final Consumer<Change> listener;
  private final String channel;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile @Nullable Connection connection;

  private DirectoryListener(PostgresDatabase db, Consumer<Change> listener) {
    this.db = db;
    this.listener = listener;
    this.channel = channel(db.schema());
    this.thread = new Thread(this::run, "vellum-directory-listener");
    this.thread.setDaemon(true);
  }

  static DirectoryListener start(PostgresDatabase db, Consumer<Change> listener) {
    DirectoryListener l = new DirectoryListener(db, listener);
    l.thread.start();
    return l;
  }

  /**
   * The channel of one schema's directory: notifications are database-wide, so deployments in
   * different schemas of one database must not hear each other. A hash keeps it a short name.
   */
  static String channel(String schema) {
    byte[] bytes = schema.getBytes(StandardCharsets.UTF_8);
    int h = 0;
    for (byte b : bytes) {
      h = 31 * h + b;
    }
    return "vellum_directory_" + HexFormat.of().toHexDigits(h);
  }

  /** How the listener's session is named in {@code pg_stat_activity}: by its channel. */
  static String applicationName(String schema) {
    return "vellum-listener " + channel(schema);
  }

  static String payload(Change change) {
    return change.kind().name()
        + SEPARATOR
        + clean(change.tenant())
        + SEPARATOR
        + clean(change.id());
  }

  /** Directory ids never hold tabs; if one ever did, the change is read as "drop everything". */
  private static String clean(String s) {
    return s.replace(SEPARATOR, " ");
  }

  static Change parse(String payload) {
    String[] parts = payload.split(SEPARATOR, -1);
    if (parts.length != 3) {
      return Change.all();
    }
    try {
      return new Change(Change.Kind.valueOf(parts[0]), parts[1], parts[2]);
    } catch (IllegalArgumentException e) {
      return Change.all(); // a newer node's kind: dropping everything is always safe
    }
  }

  private void run() {
    while (running) {
      try (Connection c = db.openSessionConnection(applicationName(db.schema()))) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + channel);
        }
        tell(Change.all()); // anything committed while not listening was missed
        listen(c.unwrap(PGConnection.class), c);
      } catch (SQLException | RuntimeException e) {
        if (running) {
          LOG.warn("directory change listener lost its connection: {}", e.getMessage());
        }
      } finally {
        connection = null;
      }
      pause();
    }
  }

  private void listen(PGConnection pg, Connection c) throws SQLException {
    for (int polls = 1; running; polls++) {
      PGNotification[] got = pg.getNotifications(POLL_MILLIS);
      if (got != null) {
        for (PGNotification n : List.of(got)) {
          tell(parse(n.getParameter()));
        }
      }
      // a connection dropped without a reset packet shows only when used
      if (polls % CHECK_EVERY_POLLS == 0 && !c.isValid(5)) {
        throw new SQLException("the listener's connection is no longer valid");
      }
    }
  }

  private void tell(Change change) {
    try {
      listener.accept(change);
    } catch (RuntimeException e) {
      LOG.warn("dropping cached directory data after {} failed: {}", change, e.getMessage(), e);
    }
  }

  private void pause() {
    if (!running) {
      return;
    }
    try {
      Thread.sleep(RECONNECT_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("closing the directory listener's connection: {}", e.getMessage());
      }
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
