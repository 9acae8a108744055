-- Open agent sessions by gateway process: the sweep that closes the sessions of processes that
-- are gone (every 30 s on PostgreSQL with Redis) and the close at start-up read only open rows,
-- while device_sessions keeps every session ever opened.
CREATE INDEX device_sessions_open_idx ON device_sessions (gateway_instance) WHERE disconnected_at IS NULL;
