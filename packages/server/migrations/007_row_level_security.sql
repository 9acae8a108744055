-- Row-level security: the database's own tenant wall, behind the gateway's checks (decision 0007).
-- Every tenant-owned table shows, and accepts, only rows of the company named in the setting
-- printermaster.company_id. The gateway sets it for each piece of work: the caller's company for a
-- web user's request, '*' for its own cross-tenant work (dispatch, sweeps, agents, migrations).
-- Unset or empty, no row is visible and none can be written. FORCE subjects the tables' owner too;
-- superusers and BYPASSRLS roles are never subject to it (the embedded store runs as a superuser).
-- Each setting is read once per statement (the sub-selects become init plans), not once per row.

-- '*' names every company, so no company may be called that (nor '', which names none).
ALTER TABLE companies ADD CONSTRAINT companies_id_not_a_scope CHECK (id NOT IN ('', '*'));

CREATE POLICY company_rows ON companies
  USING (id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE companies ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON branches
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE branches ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON licenses
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE licenses ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON devices
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE devices ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON device_sessions
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE device_sessions ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON printers
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE printers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON print_jobs
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE print_jobs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON print_job_events
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE print_job_events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON idempotency_keys
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON device_health_reports
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE device_health_reports ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- Entries without a company (gateway-wide actions) are the gateway's own: visible under '*' only.
CREATE POLICY company_rows ON audit_log
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- A view reads its tables with its owner's rights, and the owner (a superuser, often) may bypass
-- the policies: the restore check's view of printers reads with the caller's rights instead, where
-- the server knows how (PostgreSQL 15 and later; PGlite). The gateway's role is granted no view.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 150000 THEN
    EXECUTE 'ALTER VIEW "Printer" SET (security_invoker = true)';
  END IF;
END;
$$;
