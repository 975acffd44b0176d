-- Hot retention (docs/archive.md): events leave this file once their archive file is verified.
-- Their tenant's seqs and the feed's positions must never be handed out again, but both were
-- computed as max()+1 over events; the heads of a tenant whose newest events were deleted are
-- kept here and read together with the events (a deletion writes them, appends do not).
CREATE TABLE events_deleted_heads (
  tenant    TEXT PRIMARY KEY,
  next_seq  INTEGER NOT NULL,   -- the tenant's next seq when its events were last deleted
  last_pk   INTEGER NOT NULL    -- the largest feed position ever used, when they were
) WITHOUT ROWID;

-- Every deleted event's id and seq, so that GET /v1/events/{id} can still find it in the archive.
CREATE TABLE events_deleted_ids (
  tenant    TEXT NOT NULL,
  id        TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
