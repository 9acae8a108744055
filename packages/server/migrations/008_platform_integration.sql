-- Platform integration (issue 16): branches that can be deactivated, licence key rotation,
-- API keys, refresh tokens, the event outbox and webhooks.

-- A deactivated ('suspended') branch refuses its agents and its jobs, like a suspended company.
ALTER TABLE branches ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended'));

-- Rotation: the key replaced last stays valid until previous_key_valid_until (the grace period),
-- so that an agent keeps working while its operator pastes the new key.
ALTER TABLE licenses ADD COLUMN previous_key_hash text UNIQUE;
ALTER TABLE licenses ADD COLUMN previous_key_valid_until timestamptz;

-- Gateways cache licences by key hash: a rotation must also drop the cached previous key.
CREATE OR REPLACE FUNCTION printermaster_licence_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':*');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || OLD.key_hash);
    IF OLD.previous_key_hash IS NOT NULL THEN
      PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || OLD.previous_key_hash);
    END IF;
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.key_hash IS DISTINCT FROM OLD.key_hash) THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || NEW.key_hash);
  END IF;
  RETURN NULL;
END;
$$;

DROP TRIGGER licences_changed ON licenses;
CREATE TRIGGER licences_changed
  AFTER INSERT OR DELETE OR UPDATE OF key_hash, previous_key_hash, previous_key_valid_until, status, expires_at,
    bound_device_id, company_id, branch_id
  ON licenses FOR EACH ROW EXECUTE FUNCTION printermaster_licence_changed();

-- A branch or company deactivated or activated changes whether its licences admit agents: every
-- gateway hears it on the licence channel, first as '<schema>:branch:<id>' or '<schema>:company:<id>'
-- (drop the branch or company from memory; no key hash looks like that, hashes are hex), then as
-- the key hashes of its licences (check their connected agents again).
CREATE FUNCTION printermaster_tenant_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  hash text;
BEGIN
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'branches' THEN
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':branch:' || NEW.id);
    FOR hash IN SELECT h FROM licenses l, LATERAL (VALUES (l.key_hash), (l.previous_key_hash)) v(h)
                 WHERE l.branch_id = NEW.id AND h IS NOT NULL LOOP
      PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || hash);
    END LOOP;
  ELSE
    PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':company:' || NEW.id);
    FOR hash IN SELECT h FROM licenses l, LATERAL (VALUES (l.key_hash), (l.previous_key_hash)) v(h)
                 WHERE l.company_id = NEW.id AND h IS NOT NULL LOOP
      PERFORM pg_notify('printermaster_licences', TG_TABLE_SCHEMA || ':' || hash);
    END LOOP;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER branches_status_changed
  AFTER UPDATE OF status ON branches FOR EACH ROW EXECUTE FUNCTION printermaster_tenant_status_changed();
CREATE TRIGGER companies_status_changed
  AFTER UPDATE OF status ON companies FOR EACH ROW EXECUTE FUNCTION printermaster_tenant_status_changed();

-- API keys for POS servers and integrations. The key is shown once; only its SHA-256 is kept.
-- A key without a company is a platform key (role super_admin only).
CREATE TABLE api_keys (
  id            text PRIMARY KEY,
  company_id    text REFERENCES companies (id) ON DELETE CASCADE,
  branch_id     text REFERENCES branches (id) ON DELETE CASCADE,
  name          text NOT NULL,
  role          text NOT NULL,
  prefix        text NOT NULL,
  key_hash      text NOT NULL UNIQUE,
  expires_at    timestamptz,
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_company_idx ON api_keys (company_id, created_at DESC);

-- Every gateway keeps the keys it has verified in memory and drops one when this announces a
-- change to it ('<schema>:<key hash>', '<schema>:*' on truncate), so a revocation applies on
-- every process as soon as it commits.
CREATE FUNCTION printermaster_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('printermaster_api_keys', TG_TABLE_SCHEMA || ':*');
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('printermaster_api_keys', TG_TABLE_SCHEMA || ':' || OLD.key_hash);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER api_keys_changed
  AFTER DELETE OR UPDATE OF key_hash, role, company_id, branch_id, expires_at, revoked_at
  ON api_keys FOR EACH ROW EXECUTE FUNCTION printermaster_api_key_changed();
CREATE TRIGGER api_keys_truncated
  AFTER TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION printermaster_api_key_changed();

-- Refresh tokens of web users: one row per token, a family per sign-in. A token is used once;
-- using it again revokes its whole family (it was stolen, or replayed).
CREATE TABLE refresh_tokens (
  id           text PRIMARY KEY,
  family_id    text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  user_id      text NOT NULL,
  email        text,
  role         text NOT NULL,
  company_id   text REFERENCES companies (id) ON DELETE CASCADE,
  branch_id    text REFERENCES branches (id) ON DELETE CASCADE,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  revoked_at   timestamptz,
  revoke_reason text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry_idx ON refresh_tokens (expires_at);

-- A revoked sign-in ends its access tokens too: every gateway refuses the family's access tokens
-- from the moment this announces it.
CREATE FUNCTION printermaster_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
    PERFORM pg_notify('printermaster_sessions', TG_TABLE_SCHEMA || ':' || NEW.family_id);
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER refresh_tokens_revoked
  AFTER UPDATE OF revoked_at ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION printermaster_session_revoked();

-- The event outbox: every job, agent, printer and licence change, written in the transaction of
-- the change. `id` orders events of one subject (a job's changes commit one after another);
-- `seq` is given by the sequencer in commit order, so a reader that has seen seq N has seen
-- every event up to N (the feed's cursor). Webhook deliveries are made from sequenced events.
CREATE TABLE events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seq         bigint UNIQUE,
  company_id  text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id   text,
  type        text NOT NULL,
  subject_id  text NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_unsequenced_idx ON events (id) WHERE seq IS NULL;
CREATE INDEX events_company_seq_idx ON events (company_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX events_branch_seq_idx ON events (branch_id, seq) WHERE seq IS NOT NULL;

-- Webhook endpoints, per company (optionally one branch). The secret signs deliveries, so it is
-- kept as given; during a rotation the previous secret signs too, until previous_secret_until.
CREATE TABLE webhook_endpoints (
  id                     text PRIMARY KEY,
  company_id             text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id              text REFERENCES branches (id) ON DELETE CASCADE,
  url                    text NOT NULL,
  description            text,
  events                 text[] NOT NULL,
  secret                 text NOT NULL,
  previous_secret        text,
  previous_secret_until  timestamptz,
  status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  disabled_reason        text,
  consecutive_failures   integer NOT NULL DEFAULT 0,
  failing_since          timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_company_idx ON webhook_endpoints (company_id);

-- One row per event per endpoint. A delivery waits for the earlier pending deliveries of its
-- endpoint and ordering key (the job), so a job's events arrive in order.
CREATE TABLE webhook_deliveries (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  company_id       text NOT NULL,
  event_id         bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  seq              bigint NOT NULL,
  ordering_key     text NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_until     timestamptz,
  first_attempt_at timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order_idx ON webhook_deliveries (endpoint_id, ordering_key, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

-- Every attempt, for the delivery log: status, latency and the start of the answer.
CREATE TABLE webhook_attempts (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id       bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  endpoint_id       text NOT NULL,
  company_id        text NOT NULL,
  attempt           integer NOT NULL,
  status_code       integer,
  latency_ms        integer NOT NULL,
  error             text,
  response_snippet  text,
  gateway_instance  text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (endpoint_id, id DESC);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- Row-level security for the new tables, as in migration 007. Rows without a company (platform
-- API keys, super admins' refresh tokens) are visible under '*' only.
CREATE POLICY company_rows ON api_keys
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON refresh_tokens
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON events
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON webhook_endpoints
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON webhook_deliveries
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY company_rows ON webhook_attempts
  USING (company_id = (SELECT current_setting('printermaster.company_id', true))
         OR (SELECT current_setting('printermaster.company_id', true)) = '*');
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
