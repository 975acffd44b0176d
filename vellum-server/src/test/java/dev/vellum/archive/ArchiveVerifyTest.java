package dev.vellum.archive;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.cli.VellumCli;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.objectstore.Sha256;
import dev.vellum.store.RecordStore;
import dev.vellum.testing.S3Proxy;
import dev.vellum.testing.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ArchiveVerifyTest {
  @TempDir Path dir;

  private record Run(int exit, String out) {}

  private static Run cli(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cli = VellumCli.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int exit = cli.execute(args);
    return new Run(exit, out.toString());
  }

  private static Run verify(TestNode node, String archive, String... more) {
    String logKey = node.get("/v1/log/key", ADMIN_KEY).raw().body().strip();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "archive",
                "verify",
                "--archive",
                archive,
                "--tenant",
                "default",
                "--url",
                node.url(""),
                "--key",
                ADMIN_KEY,
                "--log-key",
                logKey));
    args.addAll(List.of(more));
    return cli(args.toArray(String[]::new));
  }

  private static TestNode node(Path dir, S3Proxy s3) {
    return TestNode.start(
        dir,
        c ->
            c.withArchive(
                c.archive()
                    .withBuffer(64 * 1024, Duration.ofMillis(200))
                    .withS3(s3.settings("audit/archive"))));
  }

  @Test
  void verifiesAnArchiveInS3AgainstTheLogAndFailsOnATamperedFile() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
        TestNode node = node(dir.resolve("node"), s3)) {
      ArchiverTest.ingest(node, 6, "LOGIN_SUCCESSFUL");
      ArchiverTest.awaitArchived(node, "default", 5);
      System.setProperty("aws.accessKeyId", S3Proxy.ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", S3Proxy.SECRET_KEY);
      String[] s3Flags = {"--s3-endpoint", s3.endpoint(), "--s3-path-style"};
      String url = "s3://" + S3Proxy.BUCKET + "/audit/archive";
      Run ok = verify(node, url, s3Flags);
      assertEquals(0, ok.exit(), ok.out());
      assertTrue(ok.out().contains("OK: "), ok.out());
      assertTrue(ok.out().contains(" 6 events checked"), ok.out());

      String key = ArchiverTest.files(node, "default").get(0).id();
      Blob forged = s3.blobs().blobBuilder("audit/archive/" + key).payload("not parquet").build();
      s3.blobs().putBlob(S3Proxy.BUCKET, forged);
      Run bad = verify(node, url, s3Flags);
      assertEquals(1, bad.exit(), bad.out());
      assertTrue(bad.out().contains("file does not match its manifest"), bad.out());
    } finally {
      System.clearProperty("aws.accessKeyId");
      System.clearProperty("aws.secretAccessKey");
    }
  }

  @Test
  void failsOnARowWhoseBodyAndLeafHashWereBothRewritten() throws Exception {
    try (TestNode node = ArchiverTest.archivingNode(dir)) {
      ArchiverTest.ingest(node, 3, "LOGIN_SUCCESSFUL");
      ArchiverTest.awaitArchived(node, "default", 2);
      Path archive = dir.resolve("archive");
      assertEquals(0, verify(node, archive.toString()).exit());

      RecordStore.Entry entry = ArchiverTest.files(node, "default").get(0);
      Manifest m = Manifest.parse(entry.body());
      Path file = archive.resolve(m.key());
      ParquetFiles.Row row;
      try (ParquetFiles parquet = new ParquetFiles()) {
        row = parquet.read(file).get(0);
      }
      String forgedBody = row.body().replace("\"10.1.2.3\"", "\"10.6.6.6\"");
      String forgedLeaf =
          HexFormat.of().formatHex(Rfc6962.leafHash(forgedBody.getBytes(StandardCharsets.UTF_8)));
      Path forged = dir.resolve("forged.parquet");
      try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
          Statement s = c.createStatement()) {
        s.execute(
            "COPY (SELECT * REPLACE ("
                + "CASE WHEN seq = "
                + row.seq()
                + " THEN '"
                + forgedBody.replace("'", "''")
                + "' ELSE body END AS body, CASE WHEN seq = "
                + row.seq()
                + " THEN '"
                + forgedLeaf
                + "' ELSE leaf_hash END AS leaf_hash) FROM read_parquet('"
                + file
                + "') ORDER BY seq) TO '"
                + forged
                + "' (FORMAT PARQUET, COMPRESSION ZSTD)");
      }
      Files.copy(forged, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Manifest rewritten = m.withContent(Files.size(file), Sha256.of(file));
      Files.writeString(archive.resolve(m.key() + ".manifest.json"), rewritten.toJson());

      Run bad = verify(node, archive.toString());
      assertEquals(1, bad.exit(), bad.out());
      assertTrue(bad.out().contains("seq " + row.seq() + ": not included in the log"), bad.out());
    }
  }

  @Test
  void printsAthenaDdlWithPartitionProjectionOverTheLayout() {
    Run r = cli("archive", "athena-ddl", "--location", "s3://bucket/audit", "--types", "A,B");
    assertEquals(0, r.exit(), r.out());
    assertTrue(r.out().startsWith("CREATE EXTERNAL TABLE IF NOT EXISTS vellum_events ("));
    assertTrue(r.out().contains("`leaf_hash` string"));
    assertTrue(r.out().contains("`occurred_at` timestamp"));
    assertTrue(r.out().contains("'projection.p_type.values'='A,B'"));
    assertTrue(
        r.out()
            .contains(
                "'storage.location.template'='s3://bucket/audit/tenant=${p_tenant}/source="
                    + "${p_source}/type=${p_type}/year=${p_year}/month=${p_month}/day=${p_day}/'"),
        r.out());
  }
}
