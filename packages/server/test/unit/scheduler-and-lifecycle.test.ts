import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../src/core/lifecycle.js';
import { Scheduler } from '../../src/core/scheduler.js';
import { FakeClock } from '../support/fake-clock.js';

function recordingLogger() {
  const errors: Record<string, unknown>[] = [];
  const logger = pino({ level: 'silent' });
  logger.error = ((fields: Record<string, unknown>) => {
    errors.push(fields);
  }) as typeof logger.error;
  return { logger, errors };
}

describe('scheduler on the clock', () => {
  it('runs a task once per interval, the first run one interval after start', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock, pino({ level: 'silent' }));
    const runs: number[] = [];
    const start = clock.now();
    scheduler.every({ name: 'sweep', intervalMs: 30_000, run: async () => void runs.push(clock.now() - start) });
    await clock.advance(29_999);
    expect(runs).toEqual([]);
    await clock.advance(60_001);
    expect(runs).toEqual([30_000, 60_000, 90_000]);
    await scheduler.stop();
  });

  it('never overlaps a slow run with the next one', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock, pino({ level: 'silent' }));
    let running = 0;
    let most = 0;
    let finish: () => void = () => {};
    scheduler.every({
      name: 'slow',
      intervalMs: 1_000,
      run: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        running--;
      },
    });
    await clock.advance(5_000);
    expect(running).toBe(1);
    finish();
    await clock.advance(1_000);
    expect(most).toBe(1);
    finish();
    await scheduler.stop();
  });

  it('logs a failing run and keeps the schedule; stop leaves no timer', async () => {
    const clock = new FakeClock();
    const { logger, errors } = recordingLogger();
    const scheduler = new Scheduler(clock, logger);
    let runs = 0;
    scheduler.every({
      name: 'flaky',
      intervalMs: 100,
      run: async () => {
        runs++;
        throw new Error('database away');
      },
    });
    await clock.advance(300);
    expect(runs).toBe(3);
    expect(errors.map((e) => e.task)).toEqual(['flaky', 'flaky', 'flaky']);
    await scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(runs).toBe(3);
  });

  it('refuses a task scheduled twice or without an interval', () => {
    const scheduler = new Scheduler(new FakeClock(), pino({ level: 'silent' }));
    scheduler.every({ name: 'a', intervalMs: 1, run: async () => {} });
    expect(() => scheduler.every({ name: 'a', intervalMs: 1, run: async () => {} })).toThrow(/already/);
    expect(() => scheduler.every({ name: 'b', intervalMs: 0, run: async () => {} })).toThrow(/interval/);
  });
});

describe('lifecycle', () => {
  it('stops parts in the reverse order of their start, once, even when one fails to stop', async () => {
    const { logger, errors } = recordingLogger();
    const life = new Lifecycle(logger);
    const order: string[] = [];
    life.adopt({ name: 'store', stop: () => void order.push('stop store') });
    await life.start({
      name: 'core',
      start: () => void order.push('start core'),
      stop: () => void order.push('stop core'),
    });
    await life.start({
      name: 'edge',
      start: () => void order.push('start edge'),
      stop: () => {
        order.push('stop edge');
        throw new Error('port stuck');
      },
    });
    await Promise.all([life.stop(), life.stop()]);
    await life.stop();
    expect(order).toEqual(['start core', 'start edge', 'stop edge', 'stop core', 'stop store']);
    expect(errors.map((e) => e.part)).toEqual(['edge']);
  });

  it('does not stop a part whose start failed, but stops those started before it', async () => {
    const life = new Lifecycle(pino({ level: 'silent' }));
    const stopped: string[] = [];
    await life.start({ name: 'store', stop: () => void stopped.push('store') });
    await expect(
      life.start({
        name: 'cluster',
        start: () => {
          throw new Error('Redis unreachable');
        },
        stop: () => void stopped.push('cluster'),
      }),
    ).rejects.toThrow('Redis unreachable');
    await life.stop();
    expect(stopped).toEqual(['store']);
  });
});
