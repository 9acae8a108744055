import type { FastifyInstance } from 'fastify';

/**
 * The one-line summary the API page (`/docs`) shows for each route, by method and path as
 * registered (the `/api/v1/printing` copies share the `/printing` ones). Kept in one table so that
 * the page reads as one voice and a test can hold every route to having one.
 */
export const ROUTE_SUMMARIES: Readonly<Record<string, string>> = {
  'GET /api/health': 'Health of the gateway and its store (200 ok or degraded, 503 down)',
  'GET /health': 'Health with the runbooks’ status words',
  'GET /health/live': 'Liveness: the process answers',
  'GET /health/ready': 'Readiness: the gateway takes traffic (503 while starting or draining)',
  'GET /api/health/live': 'Liveness: the process answers',
  'GET /api/health/ready': 'Readiness: the gateway takes traffic (503 while starting or draining)',
  'GET /api/health/detailed': 'Health with memory, connections and each check’s timing',
  'GET /metrics': 'Prometheus metrics',
  'GET /api/metrics/websocket': 'Socket connections by kind, agents, rooms and messages per second, as JSON',
  'GET /api/metrics/health': 'Each health check with its status and response time, as JSON (super_admin)',
  'GET /api/metrics/ratelimit': 'Each rate limiter: budget, keys blocked now, refusals, as JSON (super_admin)',
  'GET /api/metrics/performance': 'HTTP p50/p95/p99 per route and event-loop lag, as JSON (super_admin)',
  'GET /api/metrics/cache': 'Hit rates of the in-memory caches, as JSON (super_admin)',
  'GET /api/metrics/exports': 'Running and recent exports, as JSON (not tracked yet: empty)',
  'POST /api/v1/printer-licenses/validate': 'Validate a licence key for a desktop client (v1 and v2 agents)',
  'POST /api/v1/printing/printers/bulk': 'Report a branch’s printers in bulk (v1 desktop clients)',
  'GET /printing/printers': 'List printers in your scope, with their live status',
  'POST /printing/printers': 'Add a printer to a branch',
  'GET /printing/printers/:printerId': 'Read one printer',
  'PATCH /printing/printers/:printerId': 'Change a printer',
  'PUT /printing/printers/:printerId': 'Change a printer (same as PATCH)',
  'DELETE /printing/printers/:printerId': 'Remove a printer',
  'POST /printing/printers/:printerId/test': 'Print a test page and wait for the outcome (up to 15 s)',
  'POST /printing/jobs': 'Submit a print job (stored before 202; Idempotency-Key recommended)',
  'GET /printing/jobs': 'List print jobs, newest first, with filters and a cursor; or export them as CSV',
  'GET /api/audit-log': 'Read the audit log, newest first, with filters and a cursor; or export it as CSV',
  'GET /printing/jobs/:jobId': 'Read a job with its events',
  'POST /printing/jobs/:jobId/cancel': 'Cancel a job that has not reached the printer (queued or held)',
  'POST /printing/jobs/:jobId/reprint': 'Print a job again, as a new job marked REPRINT',
  'POST /printing/jobs/:jobId/release': 'Send a held job (too old to print when it could be sent) after all',
  'POST /printing/branches/:branchId/held-jobs/release': 'Send every held job of a branch after all, oldest first',
  'POST /printing/branches/:branchId/held-jobs/cancel': 'Cancel every held job of a branch',
  'GET /printing/printers/:printerId/status-history': 'The printer’s status changes with their reasons, newest first',
  'POST /printing/printers/:printerId/paper-check':
    'Print a paper check slip: a QR code that confirms paper came out when scanned',
  'GET /printing/printers/:printerId/paper-check':
    'The printer’s last paper check: when printed, when confirmed and by whom',
  'POST /printing/paper-checks/confirm': 'Confirm a scanned paper check slip (its one-time code)',
  'GET /printing/stations': 'List the stations in your scope, each with its printers in order',
  'POST /printing/stations': 'Create a station of a branch with its printers, first choice first',
  'GET /printing/stations/:stationId': 'Read a station',
  'PATCH /printing/stations/:stationId': 'Rename a station or change its printers and their order',
  'DELETE /printing/stations/:stationId': 'Delete a station; its jobs stay on the printers they are on',
  'GET /printing/jobs/:jobId/preview.png': 'The job’s ticket as it prints, as a PNG picture',
  'POST /printing/preview': 'A ticket (document or raw ESC/POS) as it would print, as a PNG picture',
  'GET /printing/events': 'Events in order after a cursor: a page, a long-poll (wait) or Server-Sent Events',
  'GET /printing/desktop-health': 'Agents’ health: latency, loss and connection quality',
  'GET /printing/desktop-health/:deviceId': 'One agent’s health and its recent reports',
  'GET /printing/service-registry/status': 'Connected agents and web clients by branch',
  'POST /admin/api-keys': 'Create an API key (the key is shown once)',
  'GET /admin/api-keys': 'List API keys in your scope',
  'GET /admin/api-keys/:apiKeyId': 'Read an API key (never the key itself)',
  'DELETE /admin/api-keys/:apiKeyId': 'Delete an API key (refused from its next use)',
  'POST /admin/api-keys/:apiKeyId/revoke': 'Revoke an API key (refused from its next use, on every process)',
  'POST /auth/sessions': 'Start a session for a user: an access token and a refresh token',
  'POST /auth/refresh': 'Exchange a refresh token for a new pair (each is used once)',
  'POST /auth/logout': 'End the caller’s session: its tokens stop working',
  'POST /auth/web/login': 'Dashboard: exchange a login link’s one-time code for session cookies',
  'POST /auth/web/refresh': 'Dashboard: the next session cookies, for the refresh cookie (used once)',
  'POST /auth/web/logout': 'Dashboard: end the cookie session and clear its cookies',
  'GET /auth/web/me': 'Dashboard: who the session cookie signs in, and until when',
  'POST /admin/companies': 'Create a company',
  'GET /admin/companies': 'List companies in your scope',
  'GET /admin/companies/:companyId': 'Read a company',
  'PATCH /admin/companies/:companyId': 'Rename a company',
  'POST /admin/companies/:companyId/deactivate': 'Deactivate a company: its agents, keys and jobs are refused',
  'POST /admin/companies/:companyId/activate': 'Activate a deactivated company again',
  'POST /admin/branches': 'Create a branch',
  'GET /admin/branches': 'List branches in your scope',
  'GET /admin/branches/:branchId': 'Read a branch',
  'PATCH /admin/branches/:branchId': 'Rename a branch',
  'POST /admin/branches/:branchId/deactivate': 'Deactivate a branch: its agents, keys and jobs are refused',
  'POST /admin/branches/:branchId/activate': 'Activate a deactivated branch again',
  'POST /admin/licences': 'Issue an agent licence (the key is shown once)',
  'GET /admin/licences': 'List licences in your scope',
  'GET /admin/licences/:licenceId': 'Read a licence (never its key)',
  'POST /admin/licences/:licenceId/revoke': 'Revoke a licence for good: its agents are disconnected',
  'POST /admin/licences/:licenceId/suspend': 'Suspend a licence: its agents are disconnected until it is activated',
  'POST /admin/licences/:licenceId/activate': 'Activate a suspended licence',
  'POST /admin/licences/:licenceId/rotate': 'Replace a licence’s key; the old one stays valid for a grace period',
  'POST /admin/licences/:licenceId/bind': 'Bind a licence to one device',
  'POST /admin/licences/:licenceId/unbind': 'Let any device use a licence again',
  'POST /admin/webhooks': 'Register a webhook endpoint (its signing secret is shown once)',
  'GET /admin/webhooks': 'List webhook endpoints in your scope',
  'GET /admin/webhooks/:webhookId': 'Read a webhook endpoint',
  'PATCH /admin/webhooks/:webhookId': 'Change a webhook endpoint’s URL, events or description',
  'DELETE /admin/webhooks/:webhookId': 'Delete a webhook endpoint and its pending deliveries',
  'POST /admin/webhooks/:webhookId/rotate-secret': 'New signing secret; the old one signs too during the overlap',
  'POST /admin/webhooks/:webhookId/enable': 'Enable a webhook endpoint: what waited is delivered',
  'POST /admin/webhooks/:webhookId/disable': 'Disable a webhook endpoint: deliveries wait',
  'GET /admin/webhooks/:webhookId/deliveries': 'An endpoint’s delivery log: status, latency, response',
  'POST /admin/webhooks/:webhookId/deliveries/:deliveryId/redeliver': 'Send one delivery again',
  'POST /admin/webhooks/:webhookId/redeliver': 'Send one event to this endpoint again',
  'POST /admin/webhooks/:webhookId/ping': 'Send a test event and show the endpoint’s answer',
};

/** Gives every route registered after this its summary from ROUTE_SUMMARIES, unless it has its own. */
export function installRouteSummaries(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.schema?.summary !== undefined || route.schema?.hide) return;
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    const url = route.url.replace(/^\/api\/v1\/printing\//, '/printing/');
    const summary = ROUTE_SUMMARIES[`${method} ${url}`] ?? ROUTE_SUMMARIES[`${method} ${route.url}`];
    if (summary !== undefined) route.schema = { ...route.schema, summary };
  });
}
