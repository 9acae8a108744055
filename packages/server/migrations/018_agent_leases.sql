-- Two agents per branch, one active (docs/agent.md#two-agents-for-the-same-printers): agents started
-- with the same standby group in a branch share a lease, which names the one (device) that prints;
-- the others stand by. The gateway process of the holder renews it every second; a holder that
-- disconnects lets it go at once, one whose process died lets it expire, and a standby's process then
-- takes it.
CREATE TABLE agent_leases (
  branch_id    text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  group_name   text NOT NULL,
  company_id   text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  device_id    text NOT NULL,
  instance_id  text NOT NULL,
  expires_at   timestamptz NOT NULL,
  acquired_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch_id, group_name)
);
CREATE POLICY company_rows ON agent_leases
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE agent_leases ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
