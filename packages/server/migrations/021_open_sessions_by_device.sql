-- A device's open sessions. Closing a session asks whether its device still has another one open
-- (then the agent is still connected: no `agent.disconnected` event). device_sessions keeps every
-- session ever opened, and the only index by device (device_sessions_device_idx) has no
-- `disconnected_at`: each close read every past session of its device from the table, a cost that
-- grew with the device's history (a reconnect storm closes thousands at once).
CREATE INDEX device_sessions_device_open_idx ON device_sessions (branch_id, device_id) WHERE disconnected_at IS NULL;
