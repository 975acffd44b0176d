-- Vellum schema for the PostgreSQL engine, shared by every Vellum node that points at it.
--
-- Times are bigint microseconds since the Unix epoch (UTC), as in the SQLite engine, so both
-- engines compute the same buckets and bounds; to_timestamp(received_at / 1e6) reads one.
-- events.body is the canonical JSON the leaf hash commits to, kept verbatim, never rewritten.

CREATE TABLE tenants (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  bigint NOT NULL
);

CREATE TABLE sources (
  tenant      text NOT NULL REFERENCES tenants(id),
  code        text NOT NULL,
  name        text NOT NULL,
  description text,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant, code)
);

CREATE TABLE api_keys (
  id          text PRIMARY KEY,
  tenant      text NOT NULL REFERENCES tenants(id),
  name        text NOT NULL,
  secret_hash text NOT NULL UNIQUE,
  scopes      text NOT NULL,   -- space-separated
  sources     text NOT NULL,   -- space-separated; '*' means every source of the tenant
  created_at  bigint NOT NULL,
  revoked_at  bigint
);
CREATE INDEX api_keys_tenant ON api_keys(tenant);

CREATE TABLE usage_plans (
  key_id              text PRIMARY KEY REFERENCES api_keys(id),
  tenant              text NOT NULL REFERENCES tenants(id),
  requests_per_second bigint NOT NULL,
  burst               bigint NOT NULL,
  quota               bigint,          -- requests per period; NULL means no quota
  quota_period        text,            -- 'day' or 'month'; NULL when quota is NULL
  updated_at          bigint NOT NULL
);

-- Tenant-defined event types; the built-in catalogue ships inside the jar.
CREATE TABLE event_types (
  tenant      text NOT NULL REFERENCES tenants(id),
  type        text NOT NULL,
  category    text NOT NULL,
  schema      text NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (tenant, type)
);

-- One row per tenant that has events: the seq its next event gets and the feed position of its
-- last one. Every commit that appends to a tenant holds this row FOR UPDATE from reading the head
-- to COMMIT, so writers on several nodes append to one tenant strictly one after the other.
CREATE TABLE tenant_heads (
  tenant        text PRIMARY KEY,
  next_seq      bigint NOT NULL DEFAULT 0,
  last_position bigint NOT NULL DEFAULT 0
);

-- The largest committed feed position. Updated only under the feed advisory lock, which is held
-- to COMMIT: positions become visible strictly in order (../shared/FEED.md, option 2).
CREATE TABLE feed_head (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  position    bigint NOT NULL
);
INSERT INTO feed_head (id, position) VALUES (true, 0);

-- Partitioned by month of received_at (the server's clock, so a commit writes to the current
-- month's partition only, and retention drops whole months). Partitions are created ahead by the
-- nodes; events_default holds rows of a month nobody created (a clock far off, imported data).
-- A unique index of a partitioned table must contain the partition key, so (tenant, seq) and
-- (tenant, id) are plain indexes here: the writer enforces both under the tenant-head lock.
CREATE TABLE events (
  position    bigint NOT NULL,
  tenant      text NOT NULL,
  seq         bigint NOT NULL,
  id          text NOT NULL,
  occurred_at bigint NOT NULL,
  received_at bigint NOT NULL,
  type        text NOT NULL,
  category    text NOT NULL,
  source      text NOT NULL,
  outcome     text NOT NULL,
  severity    text NOT NULL,
  actor_id    text NOT NULL,
  actor_ip    text,
  session_id  text,
  leaf_hash   bytea NOT NULL,
  body        text NOT NULL
) PARTITION BY RANGE (received_at);
CREATE INDEX events_position ON events (position);
CREATE INDEX events_tenant_seq ON events (tenant, seq);
CREATE INDEX events_tenant_id ON events (tenant, id);
CREATE INDEX events_time ON events (tenant, occurred_at, seq);
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- Transparency log: hash tiles per C2SP tlog-tiles, one row per tile; a partial tile on the
-- right edge is overwritten as it grows, in the transaction that appends its leaves.
CREATE TABLE log_tiles (
  tenant      text NOT NULL,
  level       integer NOT NULL,
  idx         bigint NOT NULL,
  hashes      bytea NOT NULL,
  PRIMARY KEY (tenant, level, idx)
);

CREATE TABLE log_checkpoints (
  tenant      text NOT NULL,
  tree_size   bigint NOT NULL,
  root_hash   bytea NOT NULL,
  note        text NOT NULL,
  signed_at   bigint NOT NULL,
  PRIMARY KEY (tenant, tree_size)
);

CREATE TABLE feed_consumers (
  name        text PRIMARY KEY,
  position    bigint NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE TABLE feed_dead_letters (
  consumer    text NOT NULL,
  position    bigint NOT NULL,
  tenant      text NOT NULL,
  seq         bigint NOT NULL,
  event_id    text NOT NULL,
  error       text NOT NULL,
  attempts    integer NOT NULL,
  failed_at   bigint NOT NULL,
  PRIMARY KEY (consumer, position)
);
