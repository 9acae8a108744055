/**
 * The `component` field of the socket gateway's connection lines (connected, disconnected,
 * handshake refused): operators' runbooks find them with `grep WebSocket`, and the JSON lines
 * otherwise say only `"transport":"websocket"`, in lower case.
 */
export const SOCKET_LOG_COMPONENT = { component: 'WebSocket' } as const;
