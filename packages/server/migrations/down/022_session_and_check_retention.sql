-- Undoes 022_session_and_check_retention.
DROP INDEX paper_checks_created_idx;
DROP INDEX device_sessions_closed_idx;
