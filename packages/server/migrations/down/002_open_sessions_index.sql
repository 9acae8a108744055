-- Undoes 002_open_sessions_index.
DROP INDEX device_sessions_open_idx;
