// The child side of forkProc: answers commands sent over the IPC channel.

/**
 * Serves `{id, cmd, ...params}` messages with `handlers[cmd](params)`; the
 * result (or error) goes back as `{id, ok, result | error}`. `exit` stops the
 * process after the reply.
 * @param {Record<string, (params: any) => any>} handlers
 */
export function serveCommands(handlers) {
  process.on('message', async (msg) => {
    if (!msg || typeof msg !== 'object' || !('id' in msg)) return;
    const { id, cmd, ...params } = msg;
    try {
      if (cmd === 'exit') {
        process.send?.({ id, ok: true, result: null }, () => process.exit(0));
        return;
      }
      const handler = handlers[cmd];
      if (!handler) throw new Error(`unknown command ${cmd}`);
      const result = await handler(params);
      process.send?.({ id, ok: true, result: result ?? null });
    } catch (err) {
      process.send?.({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/** Sends an unsolicited event to the parent. */
export function emitEvent(event) {
  process.send?.(event);
}
