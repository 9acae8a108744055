import { flag, integer, text } from './setting-kinds.js';

/** Listening, HTTP and Socket.IO. */
export const HTTP_SETTINGS = {
  port: integer({
    name: 'PORT',
    group: 'http',
    description: 'HTTP and Socket.IO port',
    default: 3001,
    min: 0,
    max: 65_535,
  }),
  host: text({ name: 'HOST', group: 'http', description: 'Address to listen on', default: '0.0.0.0' }),
  listenBacklog: integer({
    name: 'PRINTERMASTER_LISTEN_BACKLOG',
    group: 'http',
    description:
      'Connections the kernel queues until the process accepts them; a reconnect storm overflows Node’s 511 (the kernel caps it at `net.core.somaxconn`)',
    default: 4096,
    min: 1,
    max: 1_000_000,
  }),
  listenEarly: flag({
    name: 'PRINTERMASTER_LISTEN_EARLY',
    group: 'http',
    description:
      'Open the port before the store and hold connections until ready, so agents of a restarted gateway are not refused (decision 0005); `true` with the embedded store, `false` with DATABASE_URL (another process behind the balancer should take them); never in a pm2 cluster-mode worker',
    default: undefined,
    defaultText: 'true / false',
  }),
  trustProxy: flag({
    name: 'PRINTERMASTER_TRUST_PROXY',
    group: 'http',
    description: 'Take client addresses from X-Forwarded-For (behind nginx or an ingress)',
    default: false,
  }),
  publicUrl: text({
    name: 'PRINTERMASTER_PUBLIC_URL',
    group: 'http',
    description: 'URL agents and users reach the gateway at (shown in bootstrap output)',
    default: undefined,
    defaultText: 'http://localhost:$PORT',
  }),
  maxBodyBytes: integer({
    name: 'PRINTERMASTER_MAX_BODY_BYTES',
    group: 'http',
    description:
      'Largest HTTP request body (413 PAYLOAD_TOO_LARGE); images travel as base64, so it holds 3/4 of it in PNG bytes',
    default: 1_048_576,
    min: 1024,
    max: 64 * 1024 * 1024,
    unit: 'bytes',
  }),
  socketMaxMessageBytes: integer({
    name: 'PRINTERMASTER_SOCKET_MAX_MESSAGE_BYTES',
    group: 'http',
    description: 'Largest Socket.IO message',
    default: 1_000_000,
    min: 1024,
    max: 100_000_000,
    unit: 'bytes',
  }),
  socketPingIntervalMs: integer({
    name: 'PRINTERMASTER_SOCKET_PING_INTERVAL_MS',
    group: 'http',
    description: 'Engine.IO ping interval (also the transport latency sample rate)',
    default: 25_000,
    min: 100,
    max: 600_000,
    unit: 'ms',
  }),
  socketPingTimeoutMs: integer({
    name: 'PRINTERMASTER_SOCKET_PING_TIMEOUT_MS',
    group: 'http',
    description: 'Engine.IO ping timeout',
    default: 20_000,
    min: 100,
    max: 600_000,
    unit: 'ms',
  }),
  socketDeflate: flag({
    name: 'PRINTERMASTER_SOCKET_DEFLATE',
    group: 'http',
    description: 'Per-message deflate for socket messages over 1 KB, without context takeover (decision 0004)',
    default: true,
  }),
} as const;
