import type { FastifyBaseLogger } from 'fastify';
import type pino from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger that becomes a pino child (with the request's `correlationId`)
 * only when something is logged at an enabled level. Most requests log nothing at
 * the production level, and a pino child per request cost more CPU than routing
 * the request (docs/benchmarks.md, printer-test RPC).
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private real: pino.Logger | undefined;

  constructor(
    private readonly parent: pino.Logger,
    private readonly bindings: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}

  get level(): pino.LevelWithSilentOrString {
    return (this.real ?? this.parent).level;
  }

  set level(level: pino.LevelWithSilentOrString) {
    this.child$().level = level;
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): FastifyBaseLogger {
    return this.child$().child(bindings, options) as FastifyBaseLogger;
  }

  private log(level: Level, args: unknown[]): void {
    // A level set on this request's logger (through the setter) is the child's own.
    if (!(this.real ?? this.parent).isLevelEnabled(level)) return;
    (this.child$()[level] as (...a: unknown[]) => void)(...args);
  }

  private child$(): pino.Logger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }
}
