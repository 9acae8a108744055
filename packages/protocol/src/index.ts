export * from './agent-events.js';
export * from './correlation-id.js';
export * from './errors.js';
export * from './gateway-events.js';
export * from './handshake.js';
export * from './print-job.js';
export * from './roles.js';
export * from './ticket-document.js';
