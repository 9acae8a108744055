-- Undoes 006_open_jobs_useful_until_index: the expiry sweep's index of queued and sent jobs again.
CREATE INDEX print_jobs_expiry_idx ON print_jobs (useful_until) WHERE state IN ('queued', 'sent');
DROP INDEX print_jobs_open_useful_until_idx;
