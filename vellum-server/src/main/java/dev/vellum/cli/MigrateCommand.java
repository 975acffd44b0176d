package dev.vellum.cli;

import dev.vellum.app.DataDirLock;
import dev.vellum.app.VellumNode;
import dev.vellum.config.ConfigException;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.json.StrictJson;
import dev.vellum.log.SigningKey;
import dev.vellum.migrate.SqliteToPostgres;
import dev.vellum.store.StoreException;
import dev.vellum.store.postgres.PostgresDatabase;
import dev.vellum.store.sqlite.SqliteDatabase;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vellum migrate --from sqlite --to postgres}: moves a stopped node's data dir into an empty
 * PostgreSQL schema, read from the same settings a node on PostgreSQL uses (docs/postgres.md).
 */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Copy a data dir's SQLite database into an empty PostgreSQL schema (postgres.url, .user,"
          + " .password[_file], .schema from the config file or VELLUM_POSTGRES_*), verify the"
          + " copy and commit it in one transaction. The node must be stopped.",
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:copied, verified and committed",
      "1:the copy did not verify, or copying failed: nothing was committed",
      "2:usage or configuration error",
      "3:the data dir is in use by a server, holds no database, or cannot be used",
      "5:PostgreSQL cannot be reached",
      "6:the Vellum schema cannot be created or migrated in PostgreSQL",
      "7:the target schema is not empty"
    })
final class MigrateCommand implements Callable<Integer> {
  static final int EXIT_FAILED = 1;
  static final int EXIT_TARGET_NOT_EMPTY = 7;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--from", required = true, description = "Source engine: sqlite")
  String from;

  @Option(names = "--to", required = true, description = "Target engine: postgres")
  String to;

  @Option(
      names = "--config",
      description = "YAML config file (default: ./vellum.yaml if present; env VELLUM_CONFIG)")
  @Nullable Path configFile;

  @Option(
      names = "--data-dir",
      description = "data directory to migrate (default ./vellum-data; env VELLUM_DATA_DIR)")
  @Nullable Path dataDir;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!"sqlite".equals(from) || !"postgres".equals(to)) {
      err.println("vellum migrate: only --from sqlite --to postgres is supported");
      return VellumCli.EXIT_USAGE;
    }
    VellumConfig config;
    SigningKey key;
    try {
      config = ServeCommand.resolveConfig(configFile, null, null, dataDir);
      if (config.storage().postgres().url() == null) {
        throw new ConfigException(
            "setting postgres.url = null: the target database is required"
                + " (VELLUM_POSTGRES_URL or postgres.url)");
      }
    } catch (ConfigException e) {
      err.println("vellum migrate: configuration error: " + ServeCommand.oneLine(e.getMessage()));
      return ServeCommand.EXIT_CONFIG;
    }
    Path data = config.dataDir().toAbsolutePath();
    if (!Files.isRegularFile(data.resolve(SqliteDatabase.FILE_NAME))) {
      err.println(
          "vellum migrate: "
              + data
              + " holds no Vellum data ("
              + SqliteDatabase.FILE_NAME
              + " is missing); check --data-dir");
      return ServeCommand.EXIT_STORAGE;
    }
    try (DataDirLock lock = DataDirLock.acquire(data)) {
      try {
        key = signingKey(config, data);
      } catch (ConfigException e) {
        err.println("vellum migrate: configuration error: " + ServeCommand.oneLine(e.getMessage()));
        return ServeCommand.EXIT_CONFIG;
      }
      SqliteDatabase.open(data).close(); // brings an older data dir's schema up to date
      try (PostgresDatabase target = PostgresDatabase.open(VellumNode.postgresSettings(config))) {
        SqliteToPostgres.Result r =
            new SqliteToPostgres(data, target, key, StrictJson.mapper(), out)
                .run(System.currentTimeMillis() * 1_000);
        printSummary(out, r);
        for (String p : r.problems()) {
          err.println("vellum migrate: MISMATCH " + ServeCommand.oneLine(p));
        }
        if (!r.committed()) {
          err.println(
              "vellum migrate: the copy did not verify; nothing was committed, the target is"
                  + " empty again");
          return EXIT_FAILED;
        }
        out.println(
            "vellum migrate: committed. Start the nodes with store: postgres on schema "
                + target.schema()
                + " and the log key "
                + keyLocation(config, data)
                + " (docs/postgres.md)");
        out.flush();
        return 0;
      }
    } catch (PostgresDatabase.OpenException e) {
      err.println("vellum migrate: " + ServeCommand.oneLine(e.getMessage()));
      return e.failure() == PostgresDatabase.Failure.UNREACHABLE
          ? ServeCommand.EXIT_DATABASE_UNREACHABLE
          : ServeCommand.EXIT_DATABASE_MIGRATION;
    } catch (SqliteToPostgres.TargetNotEmpty e) {
      err.println("vellum migrate: " + ServeCommand.oneLine(e.getMessage()));
      return EXIT_TARGET_NOT_EMPTY;
    } catch (SqliteToPostgres.Incompatible e) {
      err.println("vellum migrate: cannot migrate: " + ServeCommand.oneLine(e.getMessage()));
      return EXIT_FAILED;
    } catch (StoreException e) {
      err.println("vellum migrate: cannot use data dir " + data + ": " + oneLine(e));
      return ServeCommand.EXIT_STORAGE;
    } catch (SQLException | RuntimeException e) {
      err.println(
          "vellum migrate: failed, nothing was committed (the target is still empty; run it"
              + " again): "
              + oneLine(e));
      return EXIT_FAILED;
    }
  }

  private static String oneLine(Exception e) {
    return ServeCommand.oneLine(String.valueOf(e.getMessage()));
  }

  /**
   * The key the node on this data dir signed with: the configured one, else the data dir's file.
   * Never a new one: a fresh key would not verify the checkpoints being migrated.
   */
  private static SigningKey signingKey(VellumConfig config, Path data) {
    VellumConfig.LogKey k = config.logKey();
    if (k.file() == null
        && k.key() == null
        && !Files.isRegularFile(data.resolve(SigningKey.FILE_NAME))) {
      throw new ConfigException(
          "no log signing key: "
              + data.resolve(SigningKey.FILE_NAME)
              + " is missing and neither log.signing_key_file nor VELLUM_LOG_SIGNING_KEY is set");
    }
    return SigningKey.load(config);
  }

  private static String keyLocation(VellumConfig config, Path data) {
    VellumConfig.LogKey k = config.logKey();
    if (k.file() != null) {
      return "file " + k.file();
    }
    if (k.key() != null) {
      return "from VELLUM_LOG_SIGNING_KEY";
    }
    return "file " + data.resolve(SigningKey.FILE_NAME) + " (give every node a copy)";
  }

  private static void printSummary(PrintWriter out, SqliteToPostgres.Result r) {
    for (SqliteToPostgres.TenantSummary t : r.tenants()) {
      out.printf(
          "tenant %s: %d events, last seq %d, %d checkpoints (newest of size %d), root %s: %s%n",
          t.tenant(),
          t.events(),
          t.lastSeq(),
          t.checkpoints(),
          t.newestCheckpoint(),
          t.root() == null ? "none" : t.root(),
          t.clean() ? "OK" : "MISMATCH");
    }
    out.printf(
        "summary: %s rows; %d tenants in %.1f s: %s%n",
        r.rows(), r.tenants().size(), r.nanos() / 1e9, r.committed() ? "VERIFIED" : "MISMATCH");
    out.flush();
  }
}
