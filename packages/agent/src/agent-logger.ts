import { isoTime } from '@printermaster/protocol';
/** A structured log line writer: one JSON object per line, fields first, message last (pino's shape). */
export interface AgentLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  debug(fields: Record<string, unknown>, msg: string): void;
}

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** JSON lines on `write` (stdout by default); secrets and print bytes are never passed in. */
export function createAgentLogger(
  level: keyof typeof LEVELS = 'info',
  write: (line: string) => void = (l) => process.stdout.write(l),
): AgentLogger {
  const min = LEVELS[level];
  const log = (lvl: keyof typeof LEVELS) => (fields: Record<string, unknown>, msg: string) => {
    if (LEVELS[lvl] < min) return;
    const { err, ...rest } = fields;
    const errField =
      err instanceof Error ? { err: { message: err.message, stack: err.stack } } : err === undefined ? {} : { err };
    write(`${JSON.stringify({ level: LEVELS[lvl], time: isoTime(Date.now()), ...rest, ...errField, msg })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
