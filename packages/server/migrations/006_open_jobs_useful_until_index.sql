-- The expiry sweep now reads two sets by useful-until time: `queued` jobs, which expire, and jobs
-- delivered to an agent (`sent`, `accepted`, `printing`), which become `unconfirmed` when no
-- outcome came within the grace period. One partial index covers every open state.
CREATE INDEX print_jobs_open_useful_until_idx ON print_jobs (useful_until)
  WHERE state IN ('queued', 'sent', 'accepted', 'printing');
DROP INDEX print_jobs_expiry_idx;
