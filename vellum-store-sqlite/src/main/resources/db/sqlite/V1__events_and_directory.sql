-- Vellum schema for the embedded SQLite engine.
--
-- Times are INTEGER microseconds since the Unix epoch (UTC). The canonical JSON of every stored
-- event is kept verbatim in events.body: it is what the leaf hash commits to, so it is never
-- rewritten. The other columns of events are copies made for indexing.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE sources (
  tenant      TEXT NOT NULL REFERENCES tenants(id),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, code)
) WITHOUT ROWID;

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  tenant      TEXT NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  scopes      TEXT NOT NULL,   -- space-separated
  sources     TEXT NOT NULL,   -- space-separated; '*' means every source of the tenant
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);

-- Tenant-defined event types; the built-in catalogue ships inside the jar.
CREATE TABLE event_types (
  tenant      TEXT NOT NULL REFERENCES tenants(id),
  type        TEXT NOT NULL,
  category    TEXT NOT NULL,
  schema      TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, type)
) WITHOUT ROWID;

CREATE TABLE events (
  pk          INTEGER PRIMARY KEY,
  tenant      TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  id          TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  type        TEXT NOT NULL,
  category    TEXT NOT NULL,
  source      TEXT NOT NULL,
  outcome     TEXT NOT NULL,
  severity    TEXT NOT NULL,
  actor_id    TEXT NOT NULL,
  actor_ip    TEXT,
  session_id  TEXT,
  leaf_hash   BLOB NOT NULL,
  body        TEXT NOT NULL
);
CREATE UNIQUE INDEX events_tenant_seq ON events(tenant, seq);
CREATE UNIQUE INDEX events_tenant_id ON events(tenant, id);
CREATE INDEX events_time ON events(tenant, occurred_at, seq);
-- The search indexes (actor, type, IP, session, targets, tags, full text) live in a second
-- file, search.db, built after commit by the indexer (db/sqlite-search): the durable commit path
-- only maintains the indexes whose keys arrive in order or are needed for idempotency.

-- Transparency log (issue: verifiable integrity). Hash tiles per C2SP tlog-tiles, one row per
-- tile; a partial tile on the right edge is overwritten as it grows.
CREATE TABLE log_tiles (
  tenant      TEXT NOT NULL,
  level       INTEGER NOT NULL,
  idx         INTEGER NOT NULL,
  hashes      BLOB NOT NULL,
  PRIMARY KEY (tenant, level, idx)
) WITHOUT ROWID;

CREATE TABLE log_checkpoints (
  tenant      TEXT NOT NULL,
  tree_size   INTEGER NOT NULL,
  root_hash   BLOB NOT NULL,
  note        TEXT NOT NULL,
  signed_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant, tree_size)
) WITHOUT ROWID;
