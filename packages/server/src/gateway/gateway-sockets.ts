import type {
  AgentAuth,
  AgentToGatewayEvents,
  GatewayToAgentEvents,
  GatewayToWebEvents,
  PrintingNamespaceEmitEvents,
  PrintingNamespaceListenEvents,
  WebToGatewayEvents,
} from '@printermaster/protocol';
import type { Namespace, Server, Socket } from 'socket.io';
import type { ConnectedAgent } from '../core/ports/agent-link.js';
import type { Logger } from '../core/ports/logger.js';
import type { AgentPrincipal, UserPrincipal } from '../core/principal.js';
import type { AgentCredential } from './credential-watch.js';

/** Gateway processes send one another nothing over Socket.IO: the cluster bus carries that. */
export type InterServerEvents = Record<never, never>;

/**
 * A connected agent's state, kept as its socket's `data` (built at the handshake): the
 * listeners shared by every agent socket find it there, so an idle agent costs this object
 * and a few listener slots, not a set of closures.
 */
export interface AgentSession {
  kind: 'agent';
  principal: AgentPrincipal;
  agent: ConnectedAgent;
  /** The handshake's `auth`, as validated by `AgentAuthSchema`. */
  auth: AgentAuth;
  /** The device session row's id (DeviceStore). */
  sessionId: string;
  credential: AgentCredential;
  socket: AgentSocket;
  log: Logger;
  /** Unix ms when Engine.IO sent the ping not yet answered; `undefined` when none is out. */
  pingSentAt: number | undefined;
}

/** A connected web client (a dashboard), kept as its socket's `data`. */
export interface WebSession {
  kind: 'web';
  principal: UserPrincipal;
  /** Unix ms. */
  connectedAt: number;
}

export type SocketSession = AgentSession | WebSession;

/** Agents and web clients share `/printing-ws`: the server hears agent events and emits to both. */
export type GatewayServer = Server<
  PrintingNamespaceListenEvents,
  PrintingNamespaceEmitEvents,
  InterServerEvents,
  SocketSession
>;
export type PrintingNamespace = Namespace<
  PrintingNamespaceListenEvents,
  PrintingNamespaceEmitEvents,
  InterServerEvents,
  SocketSession
>;
/** A socket of the namespace before its handshake tells an agent from a web client. */
export type NamespaceSocket = Socket<
  PrintingNamespaceListenEvents,
  PrintingNamespaceEmitEvents,
  InterServerEvents,
  SocketSession
>;
/** An agent's socket: it sends agent events and is sent only what agents are sent. */
export type AgentSocket = Socket<AgentToGatewayEvents, GatewayToAgentEvents, InterServerEvents, AgentSession>;
/** A web client's socket: it sends nothing, and is sent only what web clients are sent. */
export type WebClientSocket = Socket<WebToGatewayEvents, GatewayToWebEvents, InterServerEvents, WebSession>;
/** The namespace as the room broadcaster sees it: only web events go to rooms (agents join none). */
export type WebRoomsNamespace = Namespace<
  PrintingNamespaceListenEvents,
  GatewayToWebEvents,
  InterServerEvents,
  SocketSession
>;
