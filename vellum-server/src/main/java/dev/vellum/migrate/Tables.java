package dev.vellum.migrate;

import java.util.List;

/**
 * The tables a migration copies, in an order that satisfies the foreign keys, with the column types
 * both engines share. Listed rather than discovered, so that a column added to one engine's schema
 * and not taught here stops the migration (see {@link SchemaCheck}) instead of being dropped
 * silently.
 */
final class Tables {
  private Tables() {}

  /** How a value is read from SQLite and written into COPY's CSV. */
  enum Type {
    TEXT,
    LONG,
    BYTES
  }

  /** One column: its name in SQLite and in PostgreSQL (they differ only for events.pk). */
  record Column(String sqlite, String postgres, Type type) {}

  /** One table and the SQLite order its rows are copied in. */
  record Table(String name, String orderBy, List<Column> columns) {}

  private static Column text(String name) {
    return new Column(name, name, Type.TEXT);
  }

  private static Column num(String name) {
    return new Column(name, name, Type.LONG);
  }

  private static Column bytes(String name) {
    return new Column(name, name, Type.BYTES);
  }

  static final List<Table> ALL =
      List.of(
          new Table("tenants", "id", List.of(text("id"), text("name"), num("created_at"))),
          new Table(
              "sources",
              "tenant, code",
              List.of(
                  text("tenant"),
                  text("code"),
                  text("name"),
                  text("description"),
                  num("created_at"))),
          new Table(
              "api_keys",
              "id",
              List.of(
                  text("id"),
                  text("tenant"),
                  text("name"),
                  text("secret_hash"),
                  text("scopes"),
                  text("sources"),
                  num("created_at"),
                  num("revoked_at"))),
          new Table(
              "usage_plans",
              "key_id",
              List.of(
                  text("key_id"),
                  text("tenant"),
                  num("requests_per_second"),
                  num("burst"),
                  num("quota"),
                  text("quota_period"),
                  num("updated_at"))),
          new Table(
              "event_types",
              "tenant, type",
              List.of(
                  text("tenant"),
                  text("type"),
                  text("category"),
                  text("schema"),
                  num("updated_at"))),
          // the feed position: SQLite's rowid pk becomes PostgreSQL's position, value for value,
          // so consumer positions and each node's search index stay meaningful
          new Table(
              "events",
              "pk",
              List.of(
                  new Column("pk", "position", Type.LONG),
                  text("tenant"),
                  num("seq"),
                  text("id"),
                  num("occurred_at"),
                  num("received_at"),
                  text("type"),
                  text("category"),
                  text("source"),
                  text("outcome"),
                  text("severity"),
                  text("actor_id"),
                  text("actor_ip"),
                  text("session_id"),
                  bytes("leaf_hash"),
                  text("body"),
                  // set only on events a restore brought back from the archive
                  num("restored_until"))),
          new Table(
              "log_tiles",
              "tenant, level, idx",
              List.of(text("tenant"), num("level"), num("idx"), bytes("hashes"))),
          new Table(
              "log_checkpoints",
              "tenant, tree_size",
              List.of(
                  text("tenant"),
                  num("tree_size"),
                  bytes("root_hash"),
                  text("note"),
                  num("signed_at"))),
          new Table(
              "feed_consumers", "name", List.of(text("name"), num("position"), num("updated_at"))),
          new Table(
              "feed_dead_letters",
              "consumer, position",
              List.of(
                  text("consumer"),
                  num("position"),
                  text("tenant"),
                  num("seq"),
                  text("event_id"),
                  text("error"),
                  num("attempts"),
                  num("failed_at"))),
          // ids of events hot retention deleted (archived), so GET /v1/events/{id} still finds them
          new Table(
              "events_deleted_ids", "tenant, id", List.of(text("tenant"), text("id"), num("seq"))),
          new Table(
              "records",
              "kind, tenant, id",
              List.of(
                  text("kind"),
                  text("tenant"),
                  text("id"),
                  text("body"),
                  text("status"),
                  num("due_at"),
                  num("version"),
                  num("updated_at"))));

  /** PostgreSQL tables the migration fills itself (derived), not copied. */
  static final List<String> DERIVED = List.of("tenant_heads", "feed_head");

  /**
   * The SQLite table of heads kept past deleted events (tenant, next_seq, last_pk): read into the
   * derived heads, not copied (PostgreSQL keeps its heads in {@code tenant_heads}).
   */
  static final String SQLITE_DELETED_HEADS = "events_deleted_heads";
}
