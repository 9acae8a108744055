-- Undoes 001_initial: every table of the first schema, with its rows. Later migrations' objects
-- on these tables are undone by their own down files first.
DROP TABLE gateway_meta;
DROP TABLE audit_log;
DROP TABLE device_health_reports;
DROP TABLE idempotency_keys;
DROP TABLE print_job_events;
DROP TABLE print_jobs;
DROP TABLE printers;
DROP TABLE device_sessions;
DROP TABLE devices;
DROP TABLE licenses;
DROP TABLE branches;
DROP TABLE companies;
