package dev.vellum.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.core.merkle.ProofException;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteVerifier;
import dev.vellum.objectstore.ObjectStore;
import dev.vellum.objectstore.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks archive files against the Merkle log, as an auditor would: for each manifest of a tenant,
 * that the file's size and SHA-256 are the manifest's, that every row's {@code body} hashes to its
 * {@code leaf_hash} and names the row's seq, id and tenant, that the manifest's checkpoint is
 * signed by the log's key and covers the file, and that each leaf is included in the tree of that
 * checkpoint (RFC 9162 inclusion proofs, checked here against the signed root).
 */
public final class ArchiveVerifier {
  /** Audit paths from the log: the server's {@code /v1/log/proof} or anything equivalent. */
  @FunctionalInterface
  public interface InclusionProofs {
    List<byte[]> auditPath(long leafIndex, long treeSize) throws IOException;
  }

  /** What was checked and every problem found, each naming the file and, if any, the seq. */
  public record Report(int files, long rows, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PROBLEMS = 1_000;

  private final ObjectStore objects;
  private final NoteVerifier logKey;
  private final InclusionProofs proofs;
  private final Path work;

  /** {@code work} is a folder for downloaded files (each deleted after its check). */
  public ArchiveVerifier(ObjectStore objects, String logKey, InclusionProofs proofs, Path work) {
    this.objects = objects;
    this.logKey = NoteVerifier.parse(logKey);
    this.proofs = proofs;
    this.work = work;
  }

  /** Checks every manifest under the tenant's folder. */
  public Report verifyTenant(String tenant) throws IOException {
    List<String> problems = new ArrayList<>();
    int files = 0;
    long rows = 0;
    String after = "";
    try (ParquetFiles parquet = new ParquetFiles()) {
      while (true) {
        List<String> keys = objects.list(ArchiveLayout.tenantPrefix(tenant), after, 1_000);
        for (String key : keys) {
          if (key.endsWith(ArchiveLayout.MANIFEST_SUFFIX)) {
            files++;
            rows += verifyFile(parquet, tenant, key, problems);
          }
        }
        if (keys.size() < 1_000) {
          break;
        }
        after = keys.get(keys.size() - 1);
      }
    }
    if (files == 0) {
      problems.add("no archive manifests under " + ArchiveLayout.tenantPrefix(tenant));
    }
    return new Report(files, rows, problems);
  }

  private long verifyFile(ParquetFiles parquet, String tenant, String manifestKey, List<String> out)
      throws IOException {
    String fileKey =
        manifestKey.substring(0, manifestKey.length() - ArchiveLayout.MANIFEST_SUFFIX.length());
    Path manifestFile = Files.createTempFile(work, "manifest-", ".json");
    Path file = Files.createTempFile(work, "archive-", ".parquet");
    try {
      if (!objects.get(manifestKey, manifestFile)) {
        return problem(out, fileKey, "manifest vanished while verifying");
      }
      Manifest m;
      try {
        m = Manifest.parse(Files.readString(manifestFile));
      } catch (IOException e) {
        return problem(out, fileKey, "manifest is unreadable: " + e.getMessage());
      }
      if (!m.key().equals(fileKey) || !m.tenant().equals(tenant)) {
        return problem(out, fileKey, "manifest names key " + m.key() + " of tenant " + m.tenant());
      }
      if (!objects.get(fileKey, file)) {
        return problem(out, fileKey, "the manifest's file is missing from the archive");
      }
      long size = Files.size(file);
      String sha = Sha256.of(file);
      if (size != m.size() || !sha.equals(m.sha256())) {
        return problem(
            out,
            fileKey,
            "file does not match its manifest: size "
                + size
                + " sha256 "
                + sha
                + ", manifest says size "
                + m.size()
                + " sha256 "
                + m.sha256());
      }
      Checkpoint cp = checkpoint(m, out);
      if (cp == null) {
        return 0;
      }
      List<ParquetFiles.Row> rows = parquet.read(file);
      if (rows.size() != m.count()) {
        problem(out, fileKey, "file has " + rows.size() + " rows, manifest says " + m.count());
      }
      for (ParquetFiles.Row r : rows) {
        verifyRow(m, cp, r, out);
      }
      return rows.size();
    } finally {
      Files.deleteIfExists(manifestFile);
      Files.deleteIfExists(file);
    }
  }

  /** The manifest's checkpoint if it verifies under the log key and covers the file, else null. */
  private @Nullable Checkpoint checkpoint(Manifest m, List<String> out) {
    Checkpoint cp;
    try {
      cp = logKey.verifyCheckpoint(m.checkpointNote());
    } catch (NoteException | IllegalArgumentException e) {
      problem(
          out, m.key(), "manifest checkpoint does not verify under the log key: " + e.getMessage());
      return null;
    }
    byte[] root = Base64.getDecoder().decode(m.checkpointRootHash());
    if (cp.size() != m.checkpointTreeSize() || !Arrays.equals(cp.rootHash(), root)) {
      problem(out, m.key(), "manifest checkpoint fields disagree with its signed note");
      return null;
    }
    if (cp.size() <= m.lastSeq()) {
      problem(
          out, m.key(), "checkpoint of size " + cp.size() + " does not cover seq " + m.lastSeq());
      return null;
    }
    return cp;
  }

  private void verifyRow(Manifest m, Checkpoint cp, ParquetFiles.Row r, List<String> out)
      throws IOException {
    byte[] leaf = Rfc6962.leafHash(r.body().getBytes(StandardCharsets.UTF_8));
    String where = "seq " + r.seq();
    if (!HexFormat.of().formatHex(leaf).equals(r.leafHashHex())) {
      problem(out, m.key(), where + ": body does not hash to its leaf_hash (the row was changed)");
    }
    JsonNode body = JSON.readTree(r.body());
    if (body.path("seq").asLong(-1) != r.seq()
        || !body.path("id").asText().equals(r.id())
        || !body.path("tenant").asText().equals(m.tenant())) {
      problem(out, m.key(), where + ": body names another seq, id or tenant than its row");
    }
    if (!m.covers(r.seq())) {
      problem(out, m.key(), where + ": not in the manifest's seq_ranges");
    }
    try {
      List<byte[]> path = proofs.auditPath(r.seq(), cp.size());
      ProofVerifier.verifyInclusion(r.seq(), cp.size(), leaf, path, cp.rootHash());
    } catch (ProofException e) {
      problem(
          out,
          m.key(),
          where + ": not included in the log at the manifest's checkpoint: " + e.getMessage());
    }
  }

  private static long problem(List<String> out, String key, String message) {
    if (out.size() < MAX_PROBLEMS) {
      out.add(key + ": " + message);
    }
    return 0;
  }
}
