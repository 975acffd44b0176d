package dev.vellum.postgres;

import static dev.vellum.testing.TestNode.ADMIN_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.app.VellumNode;
import dev.vellum.config.ConfigException;
import dev.vellum.config.ConfigLoader;
import dev.vellum.config.VellumConfig;
import dev.vellum.core.note.NoteSigner;
import dev.vellum.log.SigningKey;
import dev.vellum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One log key per deployment: read from a file or the environment, checked against the database.
 */
class SharedLogKeyTest {
  @TempDir Path dir;
  private PgCluster cluster;

  @AfterEach
  void cleanUp() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private Path keyFile(String name) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, NoteSigner.generate("vellum.local").privateKey() + "\n");
    return file;
  }

  @Test
  void nodesReadingOneKeyFileServeTheSameLogKeyAndWriteNoneIntoTheirDataDirs() throws Exception {
    cluster = new PgCluster(dir);
    Path key = keyFile("shared.key");
    VellumConfig.LogKey shared = new VellumConfig.LogKey(key, null);
    TestNode a = cluster.start("x", c -> c.withLogKey(shared), VellumNode.Extensions.none());
    TestNode b = cluster.start("y", c -> c.withLogKey(shared), VellumNode.Extensions.none());
    String fromA = a.get("/v1/log/key", ADMIN_KEY).raw().body().trim();
    assertEquals(fromA, b.get("/v1/log/key", ADMIN_KEY).raw().body().trim());
    String expected =
        SigningKey.fromPrivateKey(Files.readString(key).trim(), "vellum.local")
            .signer("default")
            .verifierKey();
    assertEquals(expected, fromA);
    assertFalse(Files.exists(cluster.dataDir("x").resolve(SigningKey.FILE_NAME)));
  }

  @Test
  void aNodeWithAnotherKeyRefusesToStartOnTheSameDatabase() throws Exception {
    cluster = new PgCluster(dir);
    Path first = keyFile("first.key");
    Path other = keyFile("other.key");
    cluster.start(
        "x", c -> c.withLogKey(new VellumConfig.LogKey(first, null)), VellumNode.Extensions.none());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                cluster.start(
                    "y",
                    c -> c.withLogKey(new VellumConfig.LogKey(other, null)),
                    VellumNode.Extensions.none()));
    assertTrue(
        e.getMessage().contains("differs from the one the nodes on this database"), e.getMessage());
    ConfigException renamed =
        assertThrows(
            ConfigException.class,
            () ->
                cluster.start(
                    "z",
                    c ->
                        new VellumConfig(
                            c.host(),
                            c.port(),
                            c.dataDir(),
                            "other.example",
                            c.ingest(),
                            c.rateLimit(),
                            c.checkpointInterval(),
                            c.bootstrapKey(),
                            c.http(),
                            c.storage(),
                            new VellumConfig.LogKey(first, null),
                            c.archive(),
                            c.notifications(),
                            c.alarms()),
                    VellumNode.Extensions.none()));
    assertTrue(renamed.getMessage().contains("log_name"), renamed.getMessage());
  }

  @Test
  void theKeyComesFromTheEnvironmentOrAFileButNotBothAndAMalformedOneIsAConfigurationError()
      throws Exception {
    String skey = Files.readString(keyFile("env.key")).trim();
    VellumConfig fromEnv =
        ConfigLoader.load(
            null, Map.of("VELLUM_LOG_SIGNING_KEY", skey, "VELLUM_DATA_DIR", dir.toString()));
    assertEquals(
        SigningKey.fromPrivateKey(skey, "vellum.local").signer("t").verifierKey(),
        SigningKey.load(fromEnv).signer("t").verifierKey());
    assertFalse(fromEnv.toString().contains(skey.substring(12)), "the key is never printed");

    ConfigException both =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(
                        "VELLUM_LOG_SIGNING_KEY",
                        skey,
                        "VELLUM_LOG_SIGNING_KEY_FILE",
                        dir.resolve("env.key").toString())));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());

    Path bad = dir.resolve("bad.key");
    Files.writeString(bad, "not a key\n");
    VellumConfig malformed =
        ConfigLoader.load(null, Map.of("VELLUM_LOG_SIGNING_KEY_FILE", bad.toString()));
    ConfigException e = assertThrows(ConfigException.class, () -> SigningKey.load(malformed));
    assertTrue(e.getMessage().contains("log.signing_key_file = " + bad), e.getMessage());
    VellumConfig missing =
        ConfigLoader.load(
            null, Map.of("VELLUM_LOG_SIGNING_KEY_FILE", dir.resolve("absent.key").toString()));
    assertThrows(ConfigException.class, () -> SigningKey.load(missing));
  }
}
