-- The job lists newest first without reading the whole history (issue 20, growth). Without these
-- each list below sorted the whole table: 1.5-3.4 s at a million jobs.
-- * Jobs still open, for the dashboard's "jobs waiting" (GET /printing/jobs?state=queued,held,...),
--   whose company and branch filters ride along: open jobs are few whatever the history.
CREATE INDEX print_jobs_open_list_idx ON print_jobs (created_at DESC, id DESC)
  WHERE state IN ('queued', 'held', 'sent', 'accepted', 'printing');
-- * Every job, for a platform admin's list and export across companies.
CREATE INDEX print_jobs_created_idx ON print_jobs (created_at DESC, id DESC);
-- * A printer's recent jobs (its page in the dashboard), also of a printer idle for months.
CREATE INDEX print_jobs_printer_list_idx ON print_jobs (printer_id, created_at DESC, id DESC);
