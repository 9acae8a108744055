-- The retention purge's lookups for device sessions and paper checks (docs/operations.md,
-- Retention): closed sessions by when they closed, checks by when they were printed. Open sessions
-- are not in the first index, so an agent's handshake does not write to it; devices get no index on
-- `last_seen_at`, which every handshake and disconnect changes (the update stays HOT), and their
-- table holds one row per agent, scanned by each batch of a run.
CREATE INDEX device_sessions_closed_idx ON device_sessions (disconnected_at) WHERE disconnected_at IS NOT NULL;
CREATE INDEX paper_checks_created_idx ON paper_checks (created_at);
