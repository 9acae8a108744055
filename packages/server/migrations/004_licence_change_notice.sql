-- Gateways keep the licences they validate in memory, so that a reconnect storm of thousands
-- of handshakes reads no licence rows. Every change to what decides a handshake is announced
-- on the channel printermaster_licences as '<schema>:<key hash>' ('<schema>:*' when the table
-- is truncated), whoever makes it (a gateway, the admin CLI, another process, SQL by hand):
-- each gateway drops its copy when the change commits, so a revoked key is refused at its
-- next handshake as before.
CREATE FUNCTION printermaster_licence_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER licences_truncated
  AFTER TRUNCATE ON licenses FOR EACH STATEMENT EXECUTE FUNCTION printermaster_licence_changed();
