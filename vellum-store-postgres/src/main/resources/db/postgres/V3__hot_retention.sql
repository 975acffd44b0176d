-- Hot retention (docs/archive.md): events leave the events table once their archive file is
-- verified. tenant_heads and feed_head already keep the next seq and the last position, so only
-- the deleted ids need a place: GET /v1/events/{id} finds an archived event through its seq.
CREATE TABLE events_deleted_ids (
  tenant    text NOT NULL,
  id        text NOT NULL,
  seq       bigint NOT NULL,
  PRIMARY KEY (tenant, id)
);
