-- Indexes for the audit log's filters (GET /api/audit-log lists newest first, by id) and for the
-- retention purge (core/retention-purge.ts), which deletes old rows in batches by age.

-- The audit log: each filter alone, and the action within a company (owners' most common one).
-- The time range and the purge use created_at.
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
CREATE INDEX audit_log_company_action_idx ON audit_log (company_id, action, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id DESC);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

-- Jobs in a final state by their last change. Deleting a job sets reprint_of of its reprints to
-- null and deletes its idempotency key: without these two, each deleted job would scan both tables.
CREATE INDEX print_jobs_final_updated_idx ON print_jobs (updated_at)
  WHERE state IN ('completed', 'failed', 'unconfirmed', 'expired', 'cancelled');
CREATE INDEX print_jobs_reprint_of_idx ON print_jobs (reprint_of) WHERE reprint_of IS NOT NULL;
CREATE INDEX idempotency_keys_job_idx ON idempotency_keys (job_id);

-- Webhooks: finished deliveries by age, the deliveries of an event (an event is kept while any
-- delivery refers to it; deleting an event cascades to them), and published events by age.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at) WHERE state <> 'pending';
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);
CREATE INDEX events_created_idx ON events (created_at) WHERE seq IS NOT NULL;
