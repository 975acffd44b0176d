-- Durable records of the capabilities after the commit (rules, channels, alerts, deliveries, holds,
-- archive manifests, saved queries, consumer snapshots): an opaque JSON body per (kind, tenant, id),
-- a status and due time for work queues, and a version for compare-and-set.
CREATE TABLE records (
  kind       TEXT NOT NULL,
  tenant     TEXT NOT NULL,
  id         TEXT COLLATE "C" NOT NULL,
  body       TEXT NOT NULL,
  status     TEXT,
  due_at     BIGINT NOT NULL DEFAULT 0, -- microseconds since the epoch; 0 = not scheduled
  version    BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, tenant, id)
);
CREATE INDEX records_by_status ON records (kind, tenant, status, id);
CREATE INDEX records_due ON records (kind, status, due_at) WHERE due_at > 0;
