-- Undoes 008_platform_integration. Lost with it: API keys, refresh tokens (every session ends),
-- the event outbox, webhook endpoints with their deliveries and attempts, branch deactivations
-- (every branch is active again) and the previous keys of rotated licences (only the new key
-- stays valid). The tables' policies and triggers go with the tables.
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE events;
DROP TABLE refresh_tokens;
DROP TABLE api_keys;
DROP FUNCTION printermaster_session_revoked();
DROP FUNCTION printermaster_api_key_changed();

DROP TRIGGER companies_status_changed ON companies;
DROP TRIGGER branches_status_changed ON branches;
DROP FUNCTION printermaster_tenant_status_changed();

-- The licence trigger and its function as migration 004 made them, before the columns they name go.
DROP TRIGGER licences_changed ON licenses;
CREATE OR REPLACE FUNCTION printermaster_licence_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':*');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || OLD.key_hash);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.key_hash IS DISTINCT FROM OLD.key_hash) THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || NEW.key_hash);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER licences_changed
  AFTER INSERT OR DELETE OR UPDATE OF key_hash, status, expires_at, bound_device_id, company_id, branch_id
  ON licenses FOR EACH ROW EXECUTE FUNCTION printermaster_licence_changed();

ALTER TABLE licenses DROP COLUMN previous_key_valid_until;
ALTER TABLE licenses DROP COLUMN previous_key_hash;
ALTER TABLE branches DROP COLUMN status;
