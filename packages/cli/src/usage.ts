import { environmentHelp } from '@printermaster/server';

export { MAIN_USAGE } from './main-usage.js';

export const SERVE_USAGE = `Usage: printermaster serve

Starts the gateway. Without DATABASE_URL it uses the embedded store in
PRINTERMASTER_DATA_DIR (created and migrated on first start). On the first
start with an empty store it creates a default company, branch, licence and
admin token and prints them once.

SIGTERM / SIGINT drain and stop it (within PRINTERMASTER_SHUTDOWN_TIMEOUT_MS).

Environment (a .env file in the working directory supplies what the environment does
not set; every value is checked at start-up and all problems are reported together;
docs/configuration.md has the same reference):

${environmentHelp()}
`;

export const MIGRATE_USAGE = `Usage: printermaster migrate [--status] [--grant ROLE]
       printermaster migrate --down-to VERSION

Applies pending migrations to DATABASE_URL (or the embedded store in
PRINTERMASTER_DATA_DIR). Safe to run again: applied migrations are skipped,
and two processes migrating at once run one after the other. Then moves up
any id sequence left behind its table's highest id (one line each on stderr).

While a gateway runs on the embedded store, the store is not opened here: the
running gateway says which migrations it has, this checkout's others are listed
as pending, and the gateway applies them when the new release starts (pm2
reload). Exit code 0.

Options:
  --status       List applied and pending migrations, and the versions --down-to
                 can go to (rollbackTargets); change nothing. Exit code 0 when
                 none is pending, 3 when some are
  --down-to VERSION
                 Undo the applied migrations newer than VERSION, newest first, with
                 their down files (0 undoes every one). What they added is dropped
                 with its data. Stop the gateway first; then start the release that
                 VERSION belongs to (docs/operations.md, "Rolling back a migration")
  --grant ROLE   PostgreSQL: then grant ROLE what a running gateway needs (and no
                 more): run as the tables' owner, start the gateway as ROLE, a role
                 without SUPERUSER or BYPASSRLS (docs/operations.md, "Database roles")
`;

export const ADMIN_USAGE = `Usage: printermaster admin <subcommand> [options]

Prints JSON. Works on DATABASE_URL, or on the embedded store (through the
running gateway when it is up).

Subcommands:
  company create --name NAME [--id COMPANY_ID]
  company list
  company get --id COMPANY_ID
  company update --id COMPANY_ID --name NAME
  company deactivate|activate --id COMPANY_ID
                 A deactivated company's agents are disconnected and its jobs refused.
  branch create --company COMPANY_ID --name NAME [--id BRANCH_ID]
  branch list [--company COMPANY_ID]
  branch get --id BRANCH_ID
  branch update --id BRANCH_ID --name NAME
  branch deactivate|activate --id BRANCH_ID
                 A deactivated branch's agents are disconnected and its jobs refused.
  license issue --branch BRANCH_ID [--max-printers N] [--expires YYYY-MM-DD] [--device DEVICE_ID]
                 The key is printed once (licenseKey) and stored only as a hash.
  license list [--company COMPANY_ID] [--branch BRANCH_ID]
  license get --id LICENSE_ID
  license revoke|suspend|activate --id LICENSE_ID
                 Revoking is final.
  license rotate --id LICENSE_ID [--grace 24h]
                 A new key, printed once; the old one stays valid for the grace
                 period (default 24h, at most 7d, 0 for none).
  license bind --id LICENSE_ID --device DEVICE_ID
  license unbind --id LICENSE_ID
  token --role ROLE [--company COMPANY_ID] [--branch BRANCH_ID] [--sub SUBJECT] [--email EMAIL] [--expires 1d]
                 ROLE: super_admin | company_owner | branch_manager | cashier
  token --session --role ROLE [--company ..] [--branch ..] [--sub ..] [--email ..]
                 A session instead: an access token (JWT_ACCESS_TTL) and a refresh
                 token for POST /auth/refresh; POST /auth/logout ends it.
  login-link [--role ROLE] [--company ..] [--branch ..] [--sub ..] [--email ..]
                 A one-time link to the web dashboard (PRINTERMASTER_PUBLIC_URL/login#…),
                 valid 10 minutes; ROLE defaults to super_admin (docs/dashboard.md).

Example:
  npx printermaster admin token --role cashier --branch <branch id>
`;
