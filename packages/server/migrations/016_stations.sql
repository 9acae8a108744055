-- Stations (docs/api.md#stations): a branch's grill, bar, expo… each with an ordered list of its
-- printers. A job sent to a station prints on the first of them that is ready; when that printer
-- stops being ready, the station's jobs still queued for it move to the next ready one.
CREATE TABLE stations (
  id           text PRIMARY KEY,
  company_id   text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id    text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  name         text NOT NULL,
  -- Printer ids, first choice first.
  printer_ids  jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (branch_id, name)
);
CREATE POLICY company_rows ON stations
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE stations ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- The station a job was sent to (NULL: sent to a printer), and the printer a station job was moved
-- away from, kept until that printer, back in service, has printed its notice of what went elsewhere.
ALTER TABLE print_jobs ADD COLUMN station_id text;
ALTER TABLE print_jobs ADD COLUMN moved_from text;
CREATE INDEX print_jobs_moved_from_idx ON print_jobs (moved_from) WHERE moved_from IS NOT NULL;
