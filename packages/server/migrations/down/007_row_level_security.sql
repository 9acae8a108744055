-- Undoes 007_row_level_security: no policies, row-level security off, the view read with its
-- owner's rights again, and the check on company ids gone.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 150000 THEN
    EXECUTE 'ALTER VIEW "Printer" RESET (security_invoker)';
  END IF;
END;
$$;

ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON audit_log;

ALTER TABLE device_health_reports NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON device_health_reports;

ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON idempotency_keys;

ALTER TABLE print_job_events NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON print_job_events;

ALTER TABLE print_jobs NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON print_jobs;

ALTER TABLE printers NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON printers;

ALTER TABLE device_sessions NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON device_sessions;

ALTER TABLE devices NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON devices;

ALTER TABLE licenses NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON licenses;

ALTER TABLE branches NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON branches;

ALTER TABLE companies NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
DROP POLICY company_rows ON companies;

ALTER TABLE companies DROP CONSTRAINT companies_id_not_a_scope;
