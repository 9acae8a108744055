// Two PrinterMaster gateways on one host (ports 3001 and 3002) behind nginx.
//
// Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) shared by both processes, and
// nginx with `ip_hash` over 127.0.0.1:3001 and 127.0.0.1:3002 (see the upstream block in
// deploy/nginx/printermaster.conf).
//
//   node packages/cli/dist/main.js migrate
//   pm2 start deploy/pm2/ecosystem.cluster.config.cjs --env production
//
// Reload one at a time (a fork-mode reload is a restart), so one process always serves
// while the other drains and starts; nginx retries the other upstream and the drained
// process's agents reconnect to it:
//
//   pm2 reload printermaster --wait-ready --listen-timeout 10000
//   pm2 reload printermaster-2 --wait-ready --listen-timeout 10000

const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

/** One gateway process; see ecosystem.config.cjs for why each option is set. */
function gateway(name, port) {
  return {
    name,
    cwd: root,
    script: 'packages/cli/dist/main.js',
    args: 'serve',
    exec_mode: 'fork',
    instances: 1,
    wait_ready: true,
    listen_timeout: 10000,
    kill_timeout: 12000,
    max_memory_restart: '1G',
    exp_backoff_restart_delay: 200,
    min_uptime: 10000,
    max_restarts: 20,
    merge_logs: true,
    time: true,
    env: {
      NODE_ENV: 'development',
      PORT: port,
      HOST: '127.0.0.1',
      PRINTERMASTER_INSTANCE_ID: name,
      LOG_LEVEL: 'info',
    },
    env_production: {
      NODE_ENV: 'production',
      PORT: port,
      HOST: '127.0.0.1',
      PRINTERMASTER_TRUST_PROXY: 'true',
      PRINTERMASTER_INSTANCE_ID: name,
      PRINTERMASTER_SHUTDOWN_TIMEOUT_MS: 10000,
      LOG_LEVEL: 'info',
      // Required, from the environment of `pm2 start`:
      // DATABASE_URL, REDIS_URL, JWT_SECRET (>= 32 characters), CORS_ORIGINS.
    },
  };
}

module.exports = {
  apps: [gateway('printermaster', 3001), gateway('printermaster-2', 3002)],
};
