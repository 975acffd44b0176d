-- The committed-event feed: events.pk is each event's feed position, assigned by the single
-- writer in its commit transaction, so positions become visible strictly in order.
-- Each consumer's durable position and the events it gave up on are written by the same writer.

CREATE TABLE feed_consumers (
  name        TEXT PRIMARY KEY,
  position    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE feed_dead_letters (
  consumer    TEXT NOT NULL,
  position    INTEGER NOT NULL,
  tenant      TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  event_id    TEXT NOT NULL,
  error       TEXT NOT NULL,
  attempts    INTEGER NOT NULL,
  failed_at   INTEGER NOT NULL,
  PRIMARY KEY (consumer, position)
) WITHOUT ROWID;
