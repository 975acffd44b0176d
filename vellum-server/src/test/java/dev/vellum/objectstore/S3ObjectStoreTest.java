package dev.vellum.objectstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vellum.testing.S3Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ObjectStoreTest {
  @TempDir Path dir;
  private S3Proxy server;
  private S3ObjectStore store;

  @BeforeEach
  void start() throws Exception {
    server = S3Proxy.start(Files.createDirectories(dir.resolve("s3")));
    store = S3ObjectStore.open(server.settings("archive/v1"));
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    server.close();
  }

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  @Test
  void putVerifiesAndHeadReadsBackSizeAndSha256() throws Exception {
    Path f = file("a", "hello parquet");
    ObjectStore.StoredObject put = store.put("tenant=t/x.parquet", f);
    assertEquals(Files.size(f), put.size());
    assertEquals(Sha256.of(f), put.sha256Hex());
    assertEquals(put, store.head("tenant=t/x.parquet").orElseThrow());
    assertTrue(server.blobs().blobExists(S3Proxy.BUCKET, "archive/v1/tenant=t/x.parquet"));
  }

  @Test
  void putOfBytesAndMoveInStoreVerifiedAndMoveInRemovesTheLocalFile() throws Exception {
    ObjectStore.StoredObject bytes = store.put("t/m.json", "manifest".getBytes(UTF_8));
    assertEquals(Sha256.of("manifest".getBytes(UTF_8)), bytes.sha256Hex());
    Path f = file("b", "parquet bytes");
    String sha = Sha256.of(f);
    assertEquals(
        new ObjectStore.StoredObject("t/b.parquet", 13, sha), store.moveIn("t/b.parquet", f, sha));
    assertFalse(Files.exists(f));
    assertEquals(List.of("t/b.parquet", "t/m.json"), store.list("t/", "", 10));
    Path g = file("c", "other bytes");
    assertThrows(java.io.IOException.class, () -> store.moveIn("t/c.parquet", g, sha));
  }

  @Test
  void getCopiesTheObjectAndAnswersFalseForAMissingOne() throws Exception {
    store.put("k/one", file("a", "one"));
    Path target = dir.resolve("out");
    assertTrue(store.get("k/one", target));
    assertEquals("one", Files.readString(target));
    assertFalse(store.get("k/none", target));
    assertTrue(store.head("k/none").isEmpty());
  }

  @Test
  void listsKeysUnderAPrefixInOrderAfterAKey() throws Exception {
    for (String k : List.of("p/c", "p/a", "p/b", "q/a")) {
      store.put(k, file("f", k));
    }
    assertEquals(List.of("p/a", "p/b", "p/c"), store.list("p/", "", 10));
    assertEquals(List.of("p/b", "p/c"), store.list("p/", "p/a", 10));
    assertEquals(List.of("p/a"), store.list("p/", "", 1));
  }

  @Test
  void deleteRemovesTheObjectOnce() throws Exception {
    store.put("d/x", file("f", "x"));
    assertTrue(store.delete("d/x"));
    assertFalse(store.delete("d/x"));
    assertTrue(store.head("d/x").isEmpty());
  }

  @Test
  void headSeesAnObjectChangedBehindTheStoresBack() throws Exception {
    ObjectStore.StoredObject put = store.put("t/x", file("f", "original"));
    Blob forged = server.blobs().blobBuilder("archive/v1/t/x").payload("tampered").build();
    server.blobs().putBlob(S3Proxy.BUCKET, forged);
    assertFalse(put.sha256Hex().equals(store.head("t/x").orElseThrow().sha256Hex()));
  }

  @Test
  void refusesKeysThatCouldLeaveThePrefix() {
    assertThrows(IllegalArgumentException.class, () -> store.put("../x", dir));
    assertThrows(IllegalArgumentException.class, () -> store.head("/abs"));
  }
}
