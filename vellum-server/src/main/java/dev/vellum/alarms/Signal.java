package dev.vellum.alarms;

import java.util.List;
import java.util.Optional;

/**
 * The signals an alarm rule may watch. A signal is either a tenant's own ({@link
 * Visibility#TENANT}: any tenant's admin may watch and list its own values) or the node's ({@link
 * Visibility#OPERATOR}: it tells about every tenant's traffic, so only operator tenants may see
 * it). Independently, it is either measured by each node for itself ({@link Where#NODE}: memory,
 * disk, this node's queue and consumers, this node's share of the ingest traffic) or the same on
 * every node of a cluster because it is read from the shared store ({@link Where#CLUSTER}), in
 * which case alarms over it are evaluated once per cluster.
 */
public enum Signal {
  INGEST_REJECTION_RATE(
      "ingest_rejection_rate",
      Visibility.TENANT,
      Where.NODE,
      List.of("tenant"),
      "ratio",
      "events rejected by validation / events received, over the rate window (0 when none)"),
  INGEST_REJECTED(
      "ingest_rejected_events",
      Visibility.TENANT,
      Where.NODE,
      List.of("tenant"),
      "events",
      "events rejected by validation over the rate window"),
  CHECKPOINT_AGE(
      "checkpoint_age_seconds",
      Visibility.TENANT,
      Where.CLUSTER,
      List.of("tenant"),
      "seconds",
      "how long the tenant has had events no signed checkpoint covers (0 when all are signed)"),
  VERIFICATION_FAILED(
      "verification_failed",
      Visibility.TENANT,
      Where.CLUSTER,
      List.of("tenant"),
      "0 or 1",
      "1 while the last self-check of the tenant's log (signature, tiles, consistency) failed"),
  NODE_INGEST_REJECTION_RATE(
      "node_ingest_rejection_rate",
      Visibility.OPERATOR,
      Where.NODE,
      List.of(),
      "ratio",
      "events rejected / received by this node over the rate window, all tenants"),
  QUEUE_DEPTH(
      "queue_depth",
      Visibility.OPERATOR,
      Where.NODE,
      List.of(),
      "events",
      "events waiting in this node's writer queue"),
  CONSUMER_LAG(
      "consumer_lag",
      Visibility.OPERATOR,
      Where.NODE,
      List.of("consumer"),
      "events",
      "committed events a feed consumer on this node has not handled yet"),
  CONSUMER_FAILING(
      "consumer_failing",
      Visibility.OPERATOR,
      Where.NODE,
      List.of("consumer"),
      "0 or 1",
      "1 while a feed consumer on this node retries a failure (an archive upload that did not"
          + " verify, an object store or database that is down) or has stopped"),
  DISK_FREE_BYTES(
      "disk_free_bytes",
      Visibility.OPERATOR,
      Where.NODE,
      List.of(),
      "bytes",
      "usable space of the file system holding the data dir"),
  DISK_FREE_PERCENT(
      "disk_free_percent",
      Visibility.OPERATOR,
      Where.NODE,
      List.of(),
      "percent",
      "usable space of the data dir's file system, in percent of its size"),
  VERIFICATION_FAILED_TENANTS(
      "verification_failed_tenants",
      Visibility.OPERATOR,
      Where.CLUSTER,
      List.of(),
      "tenants",
      "tenants whose log failed its last self-check");

  /** Who may watch the signal. */
  public enum Visibility {
    TENANT,
    OPERATOR
  }

  /** Where its value comes from: each node's own, or the shared store's. */
  public enum Where {
    NODE,
    CLUSTER
  }

  private final String id;
  private final Visibility visibility;
  private final Where where;
  private final List<String> dimensions;
  private final String unit;
  private final String description;

  Signal(
      String id,
      Visibility visibility,
      Where where,
      List<String> dimensions,
      String unit,
      String description) {
    this.id = id;
    this.visibility = visibility;
    this.where = where;
    this.dimensions = dimensions;
    this.unit = unit;
    this.description = description;
  }

  /** The name rules use, e.g. {@code consumer_lag}. */
  public String id() {
    return id;
  }

  public Visibility visibility() {
    return visibility;
  }

  public Where where() {
    return where;
  }

  /** The dimension names a reading of this signal carries, e.g. {@code consumer}. */
  public List<String> dimensions() {
    return dimensions;
  }

  public String unit() {
    return unit;
  }

  public String description() {
    return description;
  }

  public static Optional<Signal> byId(String id) {
    for (Signal s : values()) {
      if (s.id.equals(id)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
