package dev.vellum.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.core.json.CanonicalJson;
import dev.vellum.core.merkle.ProofException;
import dev.vellum.core.merkle.ProofVerifier;
import dev.vellum.core.merkle.Rfc6962;
import dev.vellum.core.note.Checkpoint;
import dev.vellum.core.note.NoteException;
import dev.vellum.core.note.NoteVerifier;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * One online check of a tenant's log, trusting only the verifier key given by the caller and the
 * checkpoint saved by the previous check: the latest checkpoint's signature; its consistency with
 * the saved one (no rollback, no fork); the inclusion of all or a sample of events, each leaf
 * recomputed from the served event. Saves the new checkpoint only if everything held, so the saved
 * state never moves onto a bad log.
 */
final class OnlineVerifier {

  /** Inclusion check of every event. */
  static final int ALL = -1;

  private static final int PAGE = 1000;

  /**
   * Proof requests in flight. The server records every proof read as an event, so requests in
   * parallel let its group commit batch those records instead of paying one fsync each.
   */
  private static final int PARALLEL = 8;

  private final LogClient client;
  private final NoteVerifier trusted;
  private final Path state;
  private final int sample;
  private final Random random;

  /**
   * @param sample {@link #ALL}, 0 for no inclusion check (a {@code log:read} key suffices), or the
   *     number of events to check, drawn uniformly
   */
  OnlineVerifier(
      URI url,
      String apiKey,
      String trustedKey,
      Path state,
      int sample,
      ObjectMapper json,
      Random random)
      throws VerifyException {
    try {
      this.trusted = NoteVerifier.parse(trustedKey.trim());
    } catch (NoteException e) {
      throw new VerifyException("--trusted-key " + trustedKey + ": " + e.getMessage(), e);
    }
    this.client = new LogClient(url, apiKey, json);
    this.state = state;
    this.sample = sample;
    this.random = random;
  }

  OnlineReport check() throws VerifyException {
    long start = System.nanoTime();
    OnlineReport report = new OnlineReport(client.base(), trusted.toString(), state);
    String previousNote = CheckpointFile.read(state);
    Checkpoint previous = null;
    if (previousNote != null) {
      try {
        previous = trusted.verifyCheckpoint(previousNote);
      } catch (NoteException e) {
        throw new VerifyException(
            "the saved checkpoint in "
                + state
                + " does not verify with the"
                + " trusted key "
                + trusted
                + " ("
                + e.getMessage()
                + "); it belongs to another log"
                + " or was altered; move it away to start afresh",
            e);
      }
      report.previous = previous;
      report.previousNote = previousNote;
    }
    String note = client.getText("/v1/log/checkpoint");
    report.latestNote = note;
    Checkpoint latest;
    try {
      latest = trusted.verifyCheckpoint(note);
    } catch (NoteException e) {
      report.add(
          new Finding(
              "checkpoint_signature",
              Finding.NO_SEQ,
              trusted.toString(),
              null,
              "the latest checkpoint does not verify with the trusted key: " + e.getMessage()));
      return report.finish(start);
    }
    report.latest = latest;
    if (previous != null) {
      consistency(report, previous, latest);
    }
    if (report.clean() && sample != 0 && latest.size() > 0) {
      inclusion(report, latest);
    }
    if (report.clean()) {
      CheckpointFile.write(state, note);
      report.saved = true;
    }
    return report.finish(start);
  }

  private void consistency(OnlineReport report, Checkpoint previous, Checkpoint latest)
      throws VerifyException {
    long m = previous.size();
    long n = latest.size();
    if (n < m) {
      report.add(
          new Finding(
              "tree_shrank",
              n,
              "at least " + m,
              Long.toString(n),
              "the log's tree shrank from " + m + " to " + n + " leaves: it was rolled back"));
      return;
    }
    if (n == m) {
      if (!Arrays.equals(previous.rootHash(), latest.rootHash())) {
        report.add(
            new Finding(
                "fork",
                Finding.NO_SEQ,
                OfflineVerifier.hex(previous.rootHash()),
                OfflineVerifier.hex(latest.rootHash()),
                "two signed checkpoints of size "
                    + n
                    + " have different roots: the log was forked or rewritten"));
      }
      return;
    }
    if (m == 0) {
      return; // the empty tree is a prefix of every tree
    }
    JsonNode r = client.getJson("/v1/log/consistency?from=" + m + "&to=" + n);
    List<byte[]> proof = LogClient.hashes(r.get("proof"), "consistency proof");
    report.consistencyProofHashes = proof.size();
    try {
      ProofVerifier.verifyConsistency(m, n, proof, previous.rootHash(), latest.rootHash());
      report.consistencyChecked = true;
    } catch (ProofException e) {
      report.add(
          new Finding(
              "consistency",
              Finding.NO_SEQ,
              null,
              null,
              "the checkpoint of size "
                  + n
                  + " does not extend the saved one of size "
                  + m
                  + " (the log was forked or rewritten): "
                  + e.getMessage()));
    }
  }

  /** A seq and the leaf hash recomputed from its served event. */
  private record Leaf(long seq, byte[] hash) {}

  /** The server said that some of the tenant's events left the hot store (hot retention). */
  private boolean archivedBefore;

  private void inclusion(OnlineReport report, Checkpoint latest) throws VerifyException {
    long size = latest.size();
    BitSet seen = new BitSet();
    List<Leaf> reservoir = new ArrayList<>();
    long candidates = 0;
    String cursor = null;
    ExecutorService pool =
        Executors.newFixedThreadPool(
            PARALLEL,
            r -> {
              Thread t = new Thread(r, "vellum-verify-proof");
              t.setDaemon(true);
              return t;
            });
    try {
      do {
        String path =
            "/v1/events?order=asc&limit="
                + PAGE
                + (cursor == null
                    ? ""
                    : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        JsonNode page = client.getJson(path);
        if (page.hasNonNull("archived_before")) {
          archivedBefore = true;
        }
        JsonNode events = page.get("events");
        if (events == null || !events.isArray()) {
          throw new VerifyException("GET " + path + " did not answer {\"events\":[…]}");
        }
        List<Leaf> toProve = new ArrayList<>();
        for (JsonNode e : events) {
          JsonNode seqNode = e.get("seq");
          if (seqNode == null || !seqNode.canConvertToLong() || !e.isObject()) {
            throw new VerifyException("an event of GET " + path + " has no integer seq");
          }
          long seq = seqNode.longValue();
          if (seq < 0 || seq >= size || seq > Integer.MAX_VALUE || seen.get((int) seq)) {
            continue; // appended after the checkpoint (e.g. the record of this very read)
          }
          seen.set((int) seq);
          report.eventsSeen++;
          byte[] leaf = leafOf(report, seq, (ObjectNode) e);
          if (leaf == null) {
            continue;
          }
          if (sample == ALL) {
            toProve.add(new Leaf(seq, leaf));
          } else if (reservoir.size() < sample) {
            reservoir.add(new Leaf(seq, leaf));
            candidates++;
          } else {
            long j =
                (long) (random.nextDouble() * ++candidates); // reservoir sampling (Algorithm R)
            if (j < sample) {
              reservoir.set((int) j, new Leaf(seq, leaf));
            }
          }
        }
        proveAll(pool, report, latest, toProve);
        JsonNode next = page.get("next_cursor");
        cursor = next == null || next.isNull() ? null : next.asText();
      } while (cursor != null);
      proveAll(pool, report, latest, reservoir);
    } finally {
      pool.shutdownNow();
    }
    if (sample == ALL && archivedBefore) {
      // hot retention moved events to the archive: the server lists only hot ones. Their leaves
      // are checked against the log by `vellum archive verify`, not here.
      report.eventsArchived = size - seen.cardinality();
    } else if (sample == ALL) {
      int missing = seen.nextClearBit(0);
      if (missing < size) {
        report.add(
            new Finding(
                "event_missing",
                missing,
                "seq " + missing,
                "none",
                "the checkpoint of size "
                    + size
                    + " covers seq "
                    + missing
                    + " but the server does not list that event"));
      }
    }
  }

  private void proveAll(
      ExecutorService pool, OnlineReport report, Checkpoint latest, List<Leaf> leaves)
      throws VerifyException {
    List<Future<?>> pending = new ArrayList<>(leaves.size());
    for (Leaf l : leaves) {
      pending.add(
          pool.submit(
              () -> {
                prove(report, latest, l.seq(), l.hash());
                return null;
              }));
    }
    for (Future<?> f : pending) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VerifyException("interrupted while fetching proofs", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof VerifyException v) {
          throw v;
        }
        throw new VerifyException("fetching a proof failed: " + e.getCause(), e.getCause());
      }
    }
  }

  /** The leaf hash recomputed from a served event; checks the served leaf_hash against it. */
  private byte @Nullable [] leafOf(OnlineReport report, long seq, ObjectNode event)
      throws VerifyException {
    JsonNode served = event.remove("leaf_hash");
    // a restored event is served with its restore marker beside the body, which it never enters
    event.remove("restored");
    event.remove("restored_until");
    byte[] leaf;
    try {
      leaf = Rfc6962.leafHash(CanonicalJson.canonicalize(event));
    } catch (IllegalArgumentException e) {
      report.add(
          new Finding(
              "event_json",
              seq,
              null,
              null,
              "the served event cannot be canonicalised: " + e.getMessage()));
      return null;
    }
    byte[] claimed = LogClient.hash(served, "leaf_hash of seq " + seq);
    if (!Arrays.equals(leaf, claimed)) {
      report.add(
          new Finding(
              "leaf_hash",
              seq,
              OfflineVerifier.hex(leaf),
              OfflineVerifier.hex(claimed),
              "the served event does not hash to its leaf_hash: its" + " content was changed"));
    }
    return leaf;
  }

  /** Fetches and checks one inclusion proof; called from several threads. */
  private void prove(OnlineReport report, Checkpoint latest, long seq, byte[] leaf)
      throws VerifyException {
    JsonNode p = client.getJson("/v1/log/proof?leaf_index=" + seq + "&tree_size=" + latest.size());
    List<byte[]> path = LogClient.hashes(p.get("audit_path"), "audit_path of seq " + seq);
    byte[] claimed = LogClient.hash(p.get("leaf_hash"), "leaf_hash of the proof of seq " + seq);
    if (!Arrays.equals(claimed, leaf)) {
      report.add(
          new Finding(
              "proof_leaf_hash",
              seq,
              OfflineVerifier.hex(leaf),
              OfflineVerifier.hex(claimed),
              "the log's leaf at this index is not the hash of the" + " served event"));
    }
    try {
      ProofVerifier.verifyInclusion(seq, latest.size(), leaf, path, latest.rootHash());
      report.proven();
    } catch (ProofException e) {
      report.add(
          new Finding(
              "inclusion",
              seq,
              null,
              null,
              "the event is not in the tree the checkpoint signs: " + e.getMessage()));
    }
  }
}
