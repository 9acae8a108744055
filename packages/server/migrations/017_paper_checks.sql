-- Opening-shift paper checks (docs/operations.md#canaries): a slip printed with a QR code whose
-- one-time token, scanned by a signed-in person, confirms that paper really came out of the printer.
-- Only the token's SHA-256 is kept.
CREATE TABLE paper_checks (
  token_hash    text PRIMARY KEY,
  company_id    text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id     text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  printer_id    text NOT NULL,
  job_id        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  confirmed_at  timestamptz,
  confirmed_by  text
);
CREATE INDEX paper_checks_printer_idx ON paper_checks (printer_id, created_at DESC);
CREATE POLICY company_rows ON paper_checks
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE paper_checks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
