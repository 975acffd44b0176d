package dev.vellum.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vellum.config.ConfigException;
import dev.vellum.log.SigningKey;
import dev.vellum.store.RecordStore;
import java.io.IOException;
import java.util.Optional;

/**
 * One log key per deployment: the first node on a shared database records the verifier key it signs
 * with (which names the log and holds the public key); every later node compares its own and
 * refuses to start when they differ, since its checkpoints would not verify against the key
 * auditors trust.
 */
public final class SharedLogKey {
  static final String KIND = "cluster";
  static final String TENANT = "-";
  static final String ID = "log-signing-key";

  private SharedLogKey() {}

  /** Records this node's verifier key if none is recorded yet, else requires it to be the same. */
  public static void claimOrCompare(
      RecordStore records, SigningKey key, ObjectMapper json, long nowMicros) {
    String mine = key.signer("default").verifierKey();
    if (records.put(entry(key, json, nowMicros), RecordStore.ABSENT) > 0) {
      return;
    }
    String theirs = recorded(records, json).orElse(mine);
    if (!theirs.equals(mine)) {
      throw new ConfigException(
          "the log signing key (verifier key "
              + mine
              + ") differs from the one the nodes on this database sign with ("
              + theirs
              + "); give every node the same key with log.signing_key_file or"
              + " VELLUM_LOG_SIGNING_KEY (and the same log_name)");
    }
  }

  /**
   * The record naming {@code key} as the deployment's log key; {@code vellum migrate} writes it
   * into the database it fills, so that the nodes started on it must sign with the migrated key.
   */
  public static RecordStore.Entry entry(SigningKey key, ObjectMapper json, long nowMicros) {
    String body =
        json.createObjectNode().put("verifier_key", key.signer("default").verifierKey()).toString();
    return RecordStore.Entry.of(KIND, TENANT, ID, body, nowMicros);
  }

  private static Optional<String> recorded(RecordStore records, ObjectMapper json) {
    return records
        .get(KIND, TENANT, ID)
        .map(
            e -> {
              try {
                JsonNode n = json.readTree(e.body());
                return n.path("verifier_key").asText();
              } catch (IOException ex) {
                throw new IllegalStateException("the recorded log key is not JSON", ex);
              }
            });
  }
}
