-- PrinterMaster schema, version 1.
-- Every tenant-owned row carries company_id (and branch_id where it applies).
-- Ids are text: the gateway generates UUIDs, agents may bring their own printer ids.

CREATE TABLE companies (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE branches (
  id          text PRIMARY KEY,
  company_id  text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (company_id, name)
);
CREATE INDEX branches_company_idx ON branches (company_id);

-- Licence keys are stored as SHA-256 hex; key_hint keeps the last 4 characters for operators.
CREATE TABLE licenses (
  id               text PRIMARY KEY,
  company_id       text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id        text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  key_hash         text NOT NULL UNIQUE,
  key_hint         text NOT NULL,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
  expires_at       timestamptz,
  bound_device_id  text,
  max_printers     integer NOT NULL DEFAULT 10 CHECK (max_printers >= 0),
  features         jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_validated_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX licenses_branch_idx ON licenses (branch_id);

-- Agents (branch PCs), one row per device per branch.
CREATE TABLE devices (
  company_id        text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id         text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  device_id         text NOT NULL,
  license_id        text REFERENCES licenses (id) ON DELETE SET NULL,
  kind              text NOT NULL DEFAULT 'legacy' CHECK (kind IN ('v2', 'legacy')),
  hostname          text,
  platform          text,
  arch              text,
  app_version       text,
  protocol_version  integer,
  capabilities      jsonb NOT NULL DEFAULT '[]'::jsonb,
  last_address      text,
  first_seen_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (branch_id, device_id)
);
CREATE INDEX devices_company_idx ON devices (company_id);

CREATE TABLE device_sessions (
  id                 text PRIMARY KEY,
  company_id         text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id          text NOT NULL,
  device_id          text NOT NULL,
  gateway_instance   text NOT NULL,
  remote_address     text,
  protocol_version   integer,
  connected_at       timestamptz NOT NULL DEFAULT now(),
  disconnected_at    timestamptz,
  disconnect_reason  text
);
CREATE INDEX device_sessions_device_idx ON device_sessions (branch_id, device_id, connected_at DESC);

CREATE TABLE printers (
  id                text PRIMARY KEY,
  company_id        text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id         text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  name              text NOT NULL,
  type              text NOT NULL DEFAULT 'thermal',
  connection        text NOT NULL DEFAULT 'network',
  status            text NOT NULL DEFAULT 'unknown' CHECK (status IN ('online', 'offline', 'busy', 'error', 'unknown')),
  ip                text,
  port              integer CHECK (port IS NULL OR (port BETWEEN 1 AND 65535)),
  system_name       text,
  manufacturer      text,
  model             text,
  location          text,
  paper_width       integer,
  assigned_to       text,
  is_default        boolean NOT NULL DEFAULT false,
  capabilities      jsonb NOT NULL DEFAULT '[]'::jsonb,
  discovered_by     text,
  discovery_method  text,
  device_id         text,
  last_seen_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (branch_id, name)
);
CREATE INDEX printers_company_idx ON printers (company_id, branch_id);

-- Jobs keep their printer_id after the printer is deleted (history), hence no foreign key.
CREATE TABLE print_jobs (
  id               text PRIMARY KEY,
  company_id       text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id        text NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
  printer_id       text NOT NULL,
  state            text NOT NULL CHECK (state IN ('queued', 'sent', 'accepted', 'printing', 'completed', 'failed', 'unconfirmed', 'expired', 'cancelled')),
  type             text NOT NULL CHECK (type IN ('receipt', 'kitchen', 'label', 'test')),
  priority         integer NOT NULL CHECK (priority BETWEEN 1 AND 10),
  copies           integer NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 10),
  content          bytea NOT NULL,
  byte_length      integer NOT NULL,
  order_data       jsonb,
  idempotency_key  text,
  reprint_of       text REFERENCES print_jobs (id) ON DELETE SET NULL,
  device_id        text,
  reason           text,
  attempts         integer NOT NULL DEFAULT 0,
  useful_until     timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz
);
-- Dispatch order: per branch, pending states, priority then age.
CREATE INDEX print_jobs_dispatch_idx ON print_jobs (branch_id, priority DESC, created_at, id) WHERE state IN ('queued', 'sent');
CREATE INDEX print_jobs_list_idx ON print_jobs (company_id, created_at DESC, id DESC);
CREATE INDEX print_jobs_branch_list_idx ON print_jobs (branch_id, created_at DESC, id DESC);
CREATE INDEX print_jobs_expiry_idx ON print_jobs (useful_until) WHERE state IN ('queued', 'sent');

CREATE TABLE print_job_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id      text NOT NULL REFERENCES print_jobs (id) ON DELETE CASCADE,
  company_id  text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  actor       text NOT NULL,
  reason      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX print_job_events_job_idx ON print_job_events (job_id, id);

-- Idempotency keys live apart from jobs so that keys can expire after their window.
CREATE TABLE idempotency_keys (
  company_id    text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  key           text NOT NULL,
  request_hash  text NOT NULL,
  job_id        text NOT NULL REFERENCES print_jobs (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (company_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The last health reports per device (pruned to 100 per device).
CREATE TABLE device_health_reports (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id          text NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
  branch_id           text NOT NULL,
  device_id           text NOT NULL,
  average_latency     double precision,
  packet_loss_rate    double precision,
  connection_quality  text,
  report              jsonb NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_health_reports_device_idx ON device_health_reports (branch_id, device_id, id DESC);

CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  company_id   text,
  actor        text NOT NULL,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  details      jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_company_idx ON audit_log (company_id, id DESC);

-- Gateway-wide facts, e.g. whether the first-start bootstrap has run.
CREATE TABLE gateway_meta (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
