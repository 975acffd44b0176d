package dev.vellum.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vellum.auth.Principal;
import dev.vellum.auth.Scope;
import dev.vellum.core.merkle.TilePath;
import dev.vellum.ingest.IngestService;
import dev.vellum.ingest.Times;
import dev.vellum.log.TransparencyLog;
import dev.vellum.query.QueryService;
import dev.vellum.store.StoredCheckpoint;
import dev.vellum.store.StoredEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The transparency-log endpoints: verifier key, signed checkpoints, inclusion and consistency
 * proofs, and the raw hash tiles. The {@code log:read} scope reaches all of them but no event
 * content. Only the proof of a named event is recorded as a read of audit data: the others reveal
 * hashes alone, and recording them would make every witness run grow the log it checks by as many
 * leaves as it checked.
 */
final class LogRoutes {
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private final TransparencyLog log;
  private final QueryService queries;
  private final IngestService ingest;
  private final ObjectMapper json;

  LogRoutes(TransparencyLog log, QueryService queries, IngestService ingest, ObjectMapper json) {
    this.log = log;
    this.queries = queries;
    this.ingest = ingest;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/log/key", this::key);
    routes.get("/v1/log/checkpoint", this::checkpoint);
    routes.get("/v1/log/checkpoints", this::checkpoints);
    routes.get("/v1/log/proof", this::proofByIndex);
    routes.get("/v1/events/{id}/proof", this::proofById);
    routes.get("/v1/log/consistency", this::consistency);
    routes.get("/v1/log/tile/*", this::tile);
  }

  private void key(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    ctx.contentType("text/plain; charset=utf-8").result(log.verifierKey(p.tenant()) + "\n");
  }

  private void checkpoint(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    StoredCheckpoint cp =
        log.latestCheckpoint(p.tenant())
            .orElseThrow(
                () ->
                    ProblemException.notFound(
                        "no checkpoint has been signed yet: the log is empty"));
    ctx.contentType("text/plain; charset=utf-8").result(cp.note());
  }

  private void checkpoints(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    long since = longParam(ctx, "since_size", 0);
    ArrayNode out = json.createArrayNode();
    for (StoredCheckpoint cp : log.checkpoints(p.tenant(), since, 1000)) {
      out.addObject()
          .put("tree_size", cp.treeSize())
          .put("root_hash", B64.encodeToString(cp.rootHash()))
          .put("signed_at", Times.formatMicros(cp.signedAtMicros()))
          .put("note", cp.note());
    }
    ctx.json(json.createObjectNode().set("checkpoints", out));
  }

  private void proofByIndex(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    long index = longParam(ctx, "leaf_index", -1);
    if (index < 0) {
      throw ProblemException.badParameter("leaf_index", "required: a leaf index (the event's seq)");
    }
    ctx.json(proof(p, index, null, longParam(ctx, "tree_size", -1)));
  }

  private void proofById(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    long requestedSize = longParam(ctx, "tree_size", -1);
    String id = EventIds.lookupForm(ctx.pathParam("id"));
    StoredEvent e =
        queries
            .byId(p.tenant(), id)
            .orElseThrow(() -> ProblemException.notFound("no event with id " + id));
    ObjectNode body = proof(p, e.seq(), e.leafHash(), requestedSize);
    body.put("id", id);
    ingest.recordAccess(p, "events.proof", json.createObjectNode().put("id", id), 1);
    ctx.json(body);
  }

  /** {@code requestedSize} is the tree_size parameter, or -1 for the latest checkpoint's. */
  private ObjectNode proof(
      Principal p, long index, byte @Nullable [] leafHash, long requestedSize) {
    long current = log.treeSize(p.tenant());
    long size =
        requestedSize >= 0
            ? requestedSize
            : log.latestCheckpoint(p.tenant()).map(StoredCheckpoint::treeSize).orElse(current);
    if (size > current) {
      throw ProblemException.badParameter("tree_size", "the log has only " + current + " leaves");
    }
    if (index >= size) {
      throw ProblemException.badParameter(
          "tree_size",
          "leaf "
              + index
              + " is not in the tree of size "
              + size
              + "; wait for a newer checkpoint");
    }
    TransparencyLog.InclusionProof proof = log.inclusion(p.tenant(), index, size, leafHash);
    ObjectNode body = json.createObjectNode();
    body.put("leaf_index", proof.leafIndex());
    body.put("tree_size", proof.treeSize());
    body.put("leaf_hash", B64.encodeToString(proof.leafHash()));
    hashes(body.putArray("audit_path"), proof.auditPath());
    body.put("checkpoint", proof.checkpoint().map(StoredCheckpoint::note).orElse(null));
    return body;
  }

  private void consistency(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    long from = longParam(ctx, "from", -1);
    long requestedTo = longParam(ctx, "to", -1);
    long current = log.treeSize(p.tenant());
    long to = requestedTo >= 0 ? requestedTo : current;
    if (from < 1 || from > to) {
      throw ProblemException.badParameter("from", "required: 1 <= from <= to");
    }
    if (to > current) {
      throw ProblemException.badParameter("to", "the log has only " + current + " leaves");
    }
    List<byte[]> proof = log.consistency(p.tenant(), from, to);
    ObjectNode body = json.createObjectNode().put("from", from).put("to", to);
    hashes(body.putArray("proof"), proof);
    ctx.json(body);
  }

  private void tile(Context ctx) {
    Principal p = RequestContext.principal(ctx, Scope.LOG_READ);
    String rest = ctx.path().substring("/v1/log/".length());
    TilePath path;
    try {
      path = TilePath.parse(rest);
    } catch (IllegalArgumentException e) {
      throw ProblemException.notFound("not a tile path: " + e.getMessage());
    }
    byte[] tile =
        log.tile(p.tenant(), path)
            .orElseThrow(() -> ProblemException.notFound("no tile " + path + " in this log (yet)"));
    ctx.header(
        "Cache-Control", path.isPartial() ? "no-cache" : "public, max-age=31536000, immutable");
    ctx.contentType("application/octet-stream").result(tile);
  }

  private static void hashes(ArrayNode into, List<byte[]> hashes) {
    for (byte[] h : hashes) {
      into.add(B64.encodeToString(h));
    }
  }

  private static long longParam(Context ctx, String name, long fallback) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ProblemException.badParameter(name, "must be a non-negative integer");
    }
  }
}
