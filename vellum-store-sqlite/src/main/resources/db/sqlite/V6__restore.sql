-- Restore (docs/archive.md): events brought back from the archive for an investigation keep their
-- seq, id, leaf hash and body; restored_until (microseconds) marks them and says when hot
-- retention removes them again. NULL for every event the sequencer wrote.
ALTER TABLE events ADD COLUMN restored_until INTEGER;
-- Small (restored events only): finds those whose time is up, and a tenant's last feed position.
CREATE INDEX events_restored ON events(tenant, restored_until, seq) WHERE restored_until IS NOT NULL;
