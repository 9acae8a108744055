-- Undoes 021_open_sessions_by_device.
DROP INDEX device_sessions_device_open_idx;
