-- Undoes 010_audit_filters_and_retention.sql: its indexes only; no data changes.
DROP INDEX IF EXISTS events_created_idx;
DROP INDEX IF EXISTS webhook_deliveries_event_idx;
DROP INDEX IF EXISTS webhook_deliveries_finished_idx;
DROP INDEX IF EXISTS idempotency_keys_job_idx;
DROP INDEX IF EXISTS print_jobs_reprint_of_idx;
DROP INDEX IF EXISTS print_jobs_final_updated_idx;
DROP INDEX IF EXISTS audit_log_created_idx;
DROP INDEX IF EXISTS audit_log_target_idx;
DROP INDEX IF EXISTS audit_log_actor_idx;
DROP INDEX IF EXISTS audit_log_company_action_idx;
DROP INDEX IF EXISTS audit_log_action_idx;
