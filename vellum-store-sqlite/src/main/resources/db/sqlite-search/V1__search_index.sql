-- Vellum's search index: derived data, rebuilt from the events in vellum.db whenever it is
-- behind (index_state.last_pk is the last events.pk it covers). Every table is keyed so that a
-- filter value followed by time gives the (occurred_at, seq) order of a result page; pk joins
-- back to events.pk.

CREATE TABLE index_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  last_pk INTEGER NOT NULL
);
INSERT INTO index_state (id, last_pk) VALUES (1, 0);

CREATE TABLE ix_actor (
  tenant TEXT NOT NULL, actor_id TEXT NOT NULL, occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, actor_id, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE ix_type (
  tenant TEXT NOT NULL, type TEXT NOT NULL, occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, type, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE ix_actor_ip (
  tenant TEXT NOT NULL, actor_ip TEXT NOT NULL, occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, actor_ip, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE ix_session (
  tenant TEXT NOT NULL, session_id TEXT NOT NULL, occurred_at INTEGER NOT NULL,
  seq INTEGER NOT NULL, pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, session_id, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE ix_target (
  tenant TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
  occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL, pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, target_type, target_id, occurred_at, seq)
) WITHOUT ROWID;

CREATE TABLE ix_tag (
  tenant TEXT NOT NULL, tag TEXT NOT NULL, occurred_at INTEGER NOT NULL, seq INTEGER NOT NULL,
  pk INTEGER NOT NULL,
  PRIMARY KEY (tenant, tag, occurred_at, seq)
) WITHOUT ROWID;

-- Full text over every string and number of the event; rowid = events.pk. detail=none keeps
-- only which events hold a term (no positions), which is all the word and prefix queries need.
CREATE VIRTUAL TABLE ix_fts USING fts5(text, content='', contentless_delete=1, detail=none,
  tokenize='unicode61 remove_diacritics 2');
