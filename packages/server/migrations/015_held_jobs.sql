-- Held jobs (docs/api.md#held-jobs): a ticket too old to print when an agent could take it waits in
-- `held` for a person to release or cancel it. The state's CHECK gains the value, and the branch's
-- held list (the dashboard, "release all") reads a small partial index.
ALTER TABLE print_jobs DROP CONSTRAINT print_jobs_state_check;
ALTER TABLE print_jobs ADD CONSTRAINT print_jobs_state_check
  CHECK (state IN ('queued', 'held', 'sent', 'accepted', 'printing', 'completed', 'failed', 'unconfirmed', 'expired', 'cancelled'));
CREATE INDEX print_jobs_held_idx ON print_jobs (branch_id, created_at) WHERE state = 'held';
