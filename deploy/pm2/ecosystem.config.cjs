// pm2 process file for one PrinterMaster gateway on a host (no containers).
//
// From the checkout, after `npm ci && npm run build` and, on PostgreSQL,
// `node packages/cli/dist/main.js migrate` (the gateway refuses an unmigrated database):
//
//   pm2 start deploy/pm2/ecosystem.config.cjs --env production
//   pm2 save                                  # survive reboots (with `pm2 startup`)
//
// After a new build (and `migrate`):
//
//   pm2 reload printermaster --wait-ready --listen-timeout 10000
//
// pm2 starts the new worker beside the old one (cluster mode), counts it online once it has
// sent process.send('ready'), then stops the old one with SIGINT (the gateway drains:
// not-ready, in-flight requests finish, agent connections are closed, agents reconnect).
// On the embedded store, where one process at a time may open the data directory, the new
// worker listens once it has compiled PGlite, asks the old one to hand the store over and
// holds what arrives until it has opened it (seconds; docs/decisions/0010). No connection
// is refused.
// For more than one process run two behind nginx on PostgreSQL and Redis:
// deploy/pm2/ecosystem.cluster.config.cjs.
//
// Secrets (JWT_SECRET, DATABASE_URL, ...) are better kept out of this file: export them
// in the shell that runs `pm2 start` (pm2 passes that environment on). A reload keeps the
// environment the process was started with unless you add `--update-env`.

const path = require('node:path');

// The repository root, so the file works from any working directory.
const root = path.resolve(__dirname, '..', '..');

module.exports = {
  apps: [
    {
      name: 'printermaster',
      cwd: root,
      script: 'packages/cli/dist/main.js',
      args: 'serve',
      // pm2's cluster mode with ONE instance: a reload starts the new process beside the old
      // one on the same port, waits for its 'ready', then drains the old one — no gap. Keep
      // instances at 1: with more, pm2 would hand connections to workers round-robin, and
      // Socket.IO long-polling needs each browser to keep reaching the same process. For
      // more processes run separate apps on separate ports behind nginx with ip_hash,
      // sharing PostgreSQL and Redis (ecosystem.cluster.config.cjs).
      exec_mode: 'cluster',
      instances: 1,
      // Online only once the gateway sends 'ready' (it listens), not when node starts.
      wait_ready: true,
      listen_timeout: 10000,
      // pm2 stops with SIGINT, which drains like SIGTERM; the drain takes up to 10 s
      // (PRINTERMASTER_SHUTDOWN_TIMEOUT_MS), so SIGKILL must come later than that.
      kill_timeout: 12000,
      max_memory_restart: '1G',
      // A crash loop (for example an unmigrated database) should not spin the CPU.
      exp_backoff_restart_delay: 200,
      min_uptime: 10000,
      max_restarts: 20,
      merge_logs: true,
      time: true,
      // PORT and HOST from the environment of `pm2 start` when set, so one file serves several hosts.
      // No fixed PRINTERMASTER_INSTANCE_ID: during a reload two processes overlap and each
      // needs its own (the default is <hostname>-<pid>).
      env: {
        NODE_ENV: 'development',
        PORT: process.env.PORT || 3001,
        HOST: process.env.HOST || '127.0.0.1',
        LOG_LEVEL: 'info',
        // On the embedded store the new worker asks the old one to hand the data directory over,
        // holding what arrives meanwhile, and waits at most this long for it (decision 0010).
        PRINTERMASTER_DATA_DIR_LOCK_WAIT_MS: 15000,
      },
      env_production: {
        NODE_ENV: 'production',
        PORT: process.env.PORT || 3001,
        // Behind nginx on the same host: only nginx reaches the gateway.
        HOST: process.env.HOST || '127.0.0.1',
        PRINTERMASTER_TRUST_PROXY: 'true',
        PRINTERMASTER_DATA_DIR_LOCK_WAIT_MS: 15000,
        PRINTERMASTER_SHUTDOWN_TIMEOUT_MS: 10000,
        LOG_LEVEL: 'info',
        // Required in production; set them in the environment of `pm2 start` (see above):
        // DATABASE_URL, JWT_SECRET (>= 32 characters), CORS_ORIGINS.
      },
    },
  ],
};
