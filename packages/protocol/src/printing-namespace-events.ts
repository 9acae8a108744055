import type { AgentToGatewayEvents } from './agent-to-gateway-events.js';
import type { GatewayToAgentEvents } from './gateway-to-agent-events.js';
import type { GatewayToWebEvents } from './gateway-to-web-events.js';

/**
 * Agents and web clients share the `/printing-ws` namespace, so the gateway's side of it
 * hears what agents send (web clients send nothing) and emits both maps:
 * `Server<PrintingNamespaceListenEvents, PrintingNamespaceEmitEvents>`.
 */
export type PrintingNamespaceListenEvents = AgentToGatewayEvents;

/** Everything the gateway emits on `/printing-ws`; `error:event` goes to agents and web clients alike. */
export type PrintingNamespaceEmitEvents = GatewayToAgentEvents & GatewayToWebEvents;
