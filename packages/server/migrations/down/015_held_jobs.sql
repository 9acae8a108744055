-- Undoes 015_held_jobs. The version before knows no `held`: held jobs go back to `queued`, and that
-- version sends them, however old. Release or cancel them before rolling back.
DROP INDEX print_jobs_held_idx;
UPDATE print_jobs SET state = 'queued' WHERE state = 'held';
ALTER TABLE print_jobs DROP CONSTRAINT print_jobs_state_check;
ALTER TABLE print_jobs ADD CONSTRAINT print_jobs_state_check
  CHECK (state IN ('queued', 'sent', 'accepted', 'printing', 'completed', 'failed', 'unconfirmed', 'expired', 'cancelled'));
