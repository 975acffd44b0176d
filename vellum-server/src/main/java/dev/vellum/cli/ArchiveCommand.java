package dev.vellum.cli;

import dev.vellum.archive.ArchiveVerifier;
import dev.vellum.archive.AthenaDdl;
import dev.vellum.archive.LogApiProofs;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.ObjectStores;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vellum archive …}: check an archive against the log, query it from Athena, restore a range
 * of it into the hot store.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = "Work with the archive of sealed Parquet files (docs/archive.md).",
    subcommands = {
      ArchiveCommand.Verify.class,
      ArchiveCommand.Ddl.class,
      dev.vellum.cli.client.ArchiveRestoreCommand.class
    })
final class ArchiveCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return VellumCli.EXIT_USAGE;
  }

  /** Where the archive is: a folder or an S3 URL, with the S3 client's settings. */
  static final class Location {
    @Option(
        names = "--archive",
        required = true,
        description = "The archive: a folder, or s3://bucket/prefix")
    String archive;

    @Option(names = "--s3-endpoint", description = "S3 endpoint override (MinIO, Ceph, …)")
    @Nullable String endpoint;

    @Option(names = "--s3-region", defaultValue = "us-east-1", description = "S3 region")
    String region;

    @Option(names = "--s3-path-style", description = "Path-style S3 addressing")
    boolean pathStyle;

    ObjectStore open() throws java.io.IOException {
      return ObjectStores.at(archive, endpoint, region, pathStyle);
    }
  }

  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Check a tenant's archive files against the Merkle log: file SHA-256, each row's leaf"
              + " hash, the manifest checkpoint's signature and each leaf's inclusion proof."
              + " Exit 0 when everything holds, 1 otherwise.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.Mixin Location location;

    @Option(names = "--tenant", required = true, description = "The tenant whose files to check")
    String tenant;

    @Option(
        names = "--url",
        defaultValue = "${env:VELLUM_URL:-http://localhost:8080}",
        description = "Server whose log API gives the inclusion proofs (default: $VELLUM_URL)")
    String url;

    @Option(
        names = "--key",
        defaultValue = "${env:VELLUM_KEY}",
        description = "API key of the tenant with log:read (default: $VELLUM_KEY)")
    @Nullable String key;

    @Option(
        names = "--log-key",
        description =
            "The log's verifier key you trust (<origin>+<id>+<key>); without it the server's"
                + " /v1/log/key is used, which proves less")
    @Nullable String logKey;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String apiKey = key;
      if (apiKey == null || apiKey.isBlank()) {
        err.println("no API key: pass --key or set VELLUM_KEY");
        return VellumCli.EXIT_USAGE;
      }
      LogApiProofs log = new LogApiProofs(url, apiKey);
      String trusted = logKey;
      if (trusted == null) {
        trusted = log.logKey();
        err.println("warning: using the server's own log key " + trusted + "; pass --log-key");
      }
      Path work = Files.createTempDirectory("vellum-archive-verify-");
      try (ObjectStore objects = location.open()) {
        ArchiveVerifier.Report r =
            new ArchiveVerifier(objects, trusted, log, work).verifyTenant(tenant);
        for (String p : r.problems()) {
          out.println("FAIL " + p);
        }
        out.printf(
            "%s: %d files, %d events checked in %s, %d problems%n",
            r.ok() ? "OK" : "FAILED", r.files(), r.rows(), objects.describe(), r.problems().size());
        out.flush();
        return r.ok() ? 0 : 1;
      } finally {
        try (var files = Files.list(work)) {
          for (Path p : (Iterable<Path>) files::iterator) {
            Files.deleteIfExists(p);
          }
        }
        Files.deleteIfExists(work);
      }
    }
  }

  @Command(
      name = "athena-ddl",
      mixinStandardHelpOptions = true,
      description =
          "Print the Athena CREATE EXTERNAL TABLE (with partition projection) for an archive in S3.")
  static final class Ddl implements Callable<Integer> {
    @Option(
        names = "--location",
        required = true,
        description = "s3://bucket/prefix of the archive")
    String location;

    @Option(names = "--table", defaultValue = "vellum_events", description = "Table name")
    String table;

    @Option(
        names = "--sources",
        split = ",",
        description = "Sources to project (default: queries must name p_source)")
    List<String> sources = List.of();

    @Option(
        names = "--types",
        split = ",",
        description = "Event types to project (default: queries must name p_type)")
    List<String> types = List.of();

    @Option(names = "--first-year", defaultValue = "2020", description = "First year projected")
    int firstYear;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      if (!location.startsWith("s3://") || !table.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
        spec.commandLine().getErr().println("--location must be s3://…, --table a plain name");
        return VellumCli.EXIT_USAGE;
      }
      spec.commandLine()
          .getOut()
          .print(AthenaDdl.render(table, location, sources, types, firstYear));
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
