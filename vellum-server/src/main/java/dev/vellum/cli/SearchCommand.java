package dev.vellum.cli;

import dev.vellum.app.DataDirLock;
import dev.vellum.app.VellumNode;
import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.search.lucene.LuceneSearchIndex;
import dev.vellum.store.StoreException;
import dev.vellum.store.sqlite.SqliteDatabase;
import dev.vellum.store.sqlite.SqliteEventStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vellum search …}: maintenance of a data dir's search index while no server runs. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    description = "Maintain the search index of a data dir (the server must be stopped).",
    subcommands = {SearchCommand.Rebuild.class, CommandLine.HelpCommand.class})
final class SearchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return VellumCli.EXIT_USAGE;
  }

  /**
   * {@code vellum search rebuild}: deletes the index and indexes every event of the log again, as a
   * server does at start when its index is missing, but before the server takes traffic. It takes
   * the data-dir lock, so it refuses to run beside a server on the same dir.
   */
  @Command(
      name = "rebuild",
      mixinStandardHelpOptions = true,
      description = {
        "Delete the search index of a data dir and index every stored event again.",
        "Run it while no server uses the data dir; it refuses (exit 3) otherwise."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:every event indexed",
        "1:some events could not be indexed (each is named), or the rebuild failed",
        "2:configuration error",
        "3:the data dir is in use by a server, has no events database, or cannot be used"
      })
  static final class Rebuild implements Callable<Integer> {
    static final int EXIT_SKIPPED = 1;

    /** A progress line after every this many events. */
    static final long PROGRESS_EVERY = 100_000;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        description = "YAML config file (default: ./vellum.yaml if present; env VELLUM_CONFIG)")
    @Nullable Path configFile;

    @Option(
        names = "--data-dir",
        description = "data directory (default ./vellum-data; env VELLUM_DATA_DIR)")
    @Nullable Path dataDir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      VellumConfig config;
      try {
        config = ServeCommand.resolveConfig(configFile, null, null, dataDir);
      } catch (ConfigException e) {
        err.println("vellum: configuration error: " + ServeCommand.oneLine(e.getMessage()));
        return ServeCommand.EXIT_CONFIG;
      }
      Path data = config.dataDir().toAbsolutePath();
      if (!Files.isRegularFile(data.resolve(SqliteDatabase.FILE_NAME))) {
        err.println(
            "vellum: cannot rebuild the search index: "
                + data
                + " holds no Vellum data ("
                + SqliteDatabase.FILE_NAME
                + " is missing); check --data-dir");
        return ServeCommand.EXIT_STORAGE;
      }
      Path index = data.resolve(VellumNode.SEARCH_INDEX_DIR);
      try (DataDirLock lock = DataDirLock.acquire(data);
          SqliteEventStore store = new SqliteEventStore(SqliteDatabase.open(data))) {
        long last = store.lastPosition();
        out.println(
            "vellum: rebuilding the search index in "
                + index
                + " from the log (feed positions 1 to "
                + last
                + ")");
        out.flush();
        long[] next = {PROGRESS_EVERY};
        LuceneSearchIndex.Rebuilt r =
            LuceneSearchIndex.rebuild(
                index,
                store,
                (events, position, lastPosition) -> {
                  if (events >= next[0]) {
                    out.println(
                        "vellum: indexed "
                            + events
                            + " events (feed position "
                            + position
                            + " of "
                            + lastPosition
                            + ")");
                    out.flush();
                    next[0] = (events / PROGRESS_EVERY + 1) * PROGRESS_EVERY;
                  }
                });
        for (String skipped : r.skipped()) {
          err.println("vellum: skipped an event: " + ServeCommand.oneLine(skipped));
        }
        out.println(
            "vellum: search index rebuilt: "
                + r.events()
                + " events indexed, committed at feed position "
                + r.position()
                + (r.skipped().isEmpty() ? "" : "; " + r.skipped().size() + " skipped"));
        return r.skipped().isEmpty() ? 0 : EXIT_SKIPPED;
      } catch (StoreException e) {
        err.println(
            "vellum: cannot rebuild the search index: " + ServeCommand.oneLine(e.getMessage()));
        return ServeCommand.EXIT_STORAGE;
      } catch (RuntimeException e) {
        err.println(
            "vellum: rebuilding the search index failed: " + ServeCommand.oneLine(e.toString()));
        return ServeCommand.EXIT_START;
      }
    }
  }
}
