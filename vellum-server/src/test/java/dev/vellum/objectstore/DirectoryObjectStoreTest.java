package dev.vellum.objectstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryObjectStoreTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void putStoresTheBytesAndReportsTheirSizeAndHash() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    Path local = file("a.parquet", "hello");
    ObjectStore.StoredObject stored = store.put("tenant=t1/day=01/a.parquet", local);
    assertEquals(5, stored.size());
    assertEquals(
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", stored.sha256Hex());
    Path back = dir.resolve("back");
    assertTrue(store.get("tenant=t1/day=01/a.parquet", back));
    assertArrayEquals(Files.readAllBytes(local), Files.readAllBytes(back));
    assertEquals(stored, store.head("tenant=t1/day=01/a.parquet").orElseThrow());
  }

  @Test
  void putOfBytesStoresThemAsAFilePutWould() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    ObjectStore.StoredObject stored =
        store.put("t/a.json", "hello".getBytes(StandardCharsets.UTF_8));
    assertEquals(store.put("t/b.json", file("b", "hello")).sha256Hex(), stored.sha256Hex());
    assertEquals("hello", Files.readString(store.fileOf("t/a.json")));
    assertEquals(List.of("t/a.json", "t/b.json"), store.list("t/", "", 10));
  }

  @Test
  void moveInStoresTheFileVerifiedAndRemovesTheLocalCopy() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    Path local = file("a.parquet", "hello");
    String sha = Sha256.of(local);
    ObjectStore.StoredObject stored = store.moveIn("t/a.parquet", local, sha);
    assertEquals(new ObjectStore.StoredObject("t/a.parquet", 5, sha), stored);
    assertFalse(Files.exists(local));
    assertEquals("hello", Files.readString(store.fileOf("t/a.parquet")));
    assertEquals(List.of("t/a.parquet"), store.list("t/", "", 10));
  }

  @Test
  void moveInFailsWhenWhatTheStoreHoldsIsNotTheHashTheCallerComputed() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    Path local = file("a.parquet", "hello");
    String other = Sha256.of("hellO".getBytes(StandardCharsets.UTF_8));
    assertThrows(IOException.class, () -> store.moveIn("t/a.parquet", local, other));
  }

  @Test
  void listsKeysUnderAPrefixInOrderAndPages() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    Path local = file("x", "x");
    for (String k : List.of("tenant=t2/b", "tenant=t1/d/2", "tenant=t1/d/1", "tenant=t10/a")) {
      store.put(k, local);
    }
    assertEquals(List.of("tenant=t1/d/1", "tenant=t1/d/2"), store.list("tenant=t1/", "", 10));
    assertEquals(List.of("tenant=t1/d/2"), store.list("tenant=t1/", "tenant=t1/d/1", 10));
    assertEquals(List.of("tenant=t1/d/1"), store.list("tenant=t1/", "", 1));
    assertEquals(List.of(), store.list("tenant=t3/", "", 10));
    assertEquals(4, store.list("", "", 10).size());
  }

  @Test
  void deleteRemovesTheObject() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    store.put("k/v", file("x", "x"));
    assertTrue(store.delete("k/v"));
    assertFalse(store.delete("k/v"));
    assertTrue(store.head("k/v").isEmpty());
    assertFalse(store.get("k/v", dir.resolve("y")));
  }

  @Test
  void refusesKeysThatCouldLeaveTheRoot() throws Exception {
    DirectoryObjectStore store = new DirectoryObjectStore(dir.resolve("archive"));
    Path local = file("x", "x");
    for (String bad :
        List.of("../x", "a/../../x", "/etc/passwd", "a//b", "a/./b", "", "a b", "a\\b", "a/")) {
      assertThrows(IllegalArgumentException.class, () -> store.put(bad, local), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> store.list("../", "", 10));
  }
}
