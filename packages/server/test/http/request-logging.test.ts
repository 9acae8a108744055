import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LazyRequestLogger } from '../../src/http/lazy-request-logger.js';
import { startTestGateway, type TestGateway } from '../support/test-gateway.js';

describe('LazyRequestLogger', () => {
  it('makes the pino child only for the first line at an enabled level, and once', () => {
    const lines: Record<string, unknown>[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const t of chunk.toString('utf8').split('\n')) if (t) lines.push(JSON.parse(t));
        cb();
      },
    });
    const parent = pino({ level: 'info' }, out);
    const makeChild = parent.child.bind(parent);
    let children = 0;
    parent.child = ((...args: Parameters<typeof makeChild>) => {
      children += 1;
      return makeChild(...args);
    }) as typeof parent.child;
    const log = new LazyRequestLogger(parent, { correlationId: 'c-1' }, {});
    log.debug({ a: 1 }, 'not written');
    log.trace('nor this');
    expect(children).toBe(0);
    expect(log.level).toBe('info');
    log.info({ b: 2 }, 'first');
    log.warn('second %s', 'line');
    expect(children).toBe(1);
    expect(lines).toMatchObject([
      { correlationId: 'c-1', b: 2, msg: 'first', level: 30 },
      { correlationId: 'c-1', msg: 'second line', level: 40 },
    ]);
    // A level set on the request's logger is its own: the parent's stays.
    log.level = 'debug';
    log.debug('now written');
    expect(log.level).toBe('debug');
    expect(parent.level).toBe('info');
    expect(lines.at(-1)).toMatchObject({ correlationId: 'c-1', msg: 'now written', level: 20 });
  });
});

// Request loggers are made lazily (http/lazy-request-logger.ts): these check that the lines
// that are written still carry the request's correlation ID, at both levels.
describe('request logs', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
  });

  const unauthorised = (g: TestGateway, correlationId: string) =>
    fetch(`${g.url}/printing/printers`, { headers: { 'x-correlation-id': correlationId } });

  it('at info: a rejected request is logged once with its correlationId, a completed one not at all', async () => {
    gw = await startTestGateway({ env: { LOG_LEVEL: 'info' } });
    const res = await unauthorised(gw, 'req-info-1');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-correlation-id')).toBe('req-info-1');
    const line = await gw.waitForLog((l) => l.msg === 'request rejected' && l.correlationId === 'req-info-1');
    expect(line).toMatchObject({ code: 'AUTH_FAILED', level: 30 });
    await fetch(`${gw.url}/health/live`, { headers: { 'x-correlation-id': 'req-info-2' } });
    await unauthorised(gw, 'req-info-3');
    await gw.waitForLog((l) => l.correlationId === 'req-info-3');
    const mine = gw.logs.filter((l) => typeof l.correlationId === 'string' && l.correlationId.startsWith('req-info-'));
    expect(mine.map((l) => [l.correlationId, l.msg])).toEqual([
      ['req-info-1', 'request rejected'],
      ['req-info-3', 'request rejected'],
    ]);
  });

  it('at debug: every request is logged as completed with its correlationId and status', async () => {
    gw = await startTestGateway({ env: { LOG_LEVEL: 'debug' } });
    await unauthorised(gw, 'req-debug-1');
    // Without a correlation ID from the caller, the answer names the one the gateway made.
    const res = await fetch(`${gw.url}/health/live`);
    const made = res.headers.get('x-correlation-id');
    expect(made).toMatch(/\S+/);
    await gw.waitForLog((l) => l.msg === 'request completed' && l.correlationId === made);
    const line = await gw.waitForLog((l) => l.msg === 'request completed' && l.correlationId === 'req-debug-1');
    expect(line).toMatchObject({ statusCode: 401, method: 'GET', url: '/printing/printers', level: 20 });
  });
});
