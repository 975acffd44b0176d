package dev.vellum.verify;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The offline verifier's checks run through a JDBC connection the caller opened, on any database
 * with Vellum's log tables ({@code events}, {@code log_tiles}, {@code log_checkpoints}): every
 * tenant's tree rebuilt from the stored bodies, compared with the stored leaf hashes, tiles and
 * signed checkpoints, whose signatures are checked with the key of {@code keyDir}'s {@code
 * log-signing.key} or the trusted verifier keys. {@code vellum migrate} runs it on its copy before
 * committing it.
 */
public final class LogTablesCheck {
  private LogTablesCheck() {}

  /**
   * One tenant's outcome; {@code problems} lists at most 20 findings, {@code findings} counts all.
   */
  public record Tenant(
      String tenant,
      long events,
      long treeSize,
      @Nullable String root,
      long tiles,
      long checkpoints,
      long findings,
      List<String> problems) {
    public boolean clean() {
      return findings == 0;
    }
  }

  /**
   * Checks every tenant the connection's tables name, in the connection's current transaction.
   *
   * @throws VerifyException when a key is malformed or a tenant has checkpoints but no key
   */
  public static List<Tenant> run(Connection c, Path keyDir, List<String> trustedKeys)
      throws SQLException, VerifyException {
    OfflineVerifier v = new OfflineVerifier(keyDir, null, trustedKeys, List.of());
    List<Tenant> out = new ArrayList<>();
    for (TenantResult r : v.check(c, new ArrayList<>())) {
      List<String> problems = new ArrayList<>();
      for (Finding f : r.findings) {
        problems.add("[" + f.kind() + "] " + f);
      }
      byte[] root = r.root;
      out.add(
          new Tenant(
              r.tenant,
              r.events,
              r.treeSize,
              root == null ? null : Base64.getEncoder().encodeToString(root),
              r.tiles,
              r.checkpoints,
              r.findingCount,
              List.copyOf(problems)));
    }
    return out;
  }
}
