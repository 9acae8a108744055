import { DEFAULT_IMAGE_LIMITS } from '@printermaster/escpos';
import { describe, expect, it } from 'vitest';
import { TicketRenderPool } from '../../src/ticket-render-pool.js';

/** What a render caught by the gateway's stop answers: the client may retry, it did nothing wrong. */
describe('TicketRenderPool stopping', () => {
  it('answers renders abandoned by the stop, and any asked for after it, 503 SERVICE_UNAVAILABLE', async () => {
    const pool = new TicketRenderPool({ threads: 1, maxQueue: 4, imageLimits: DEFAULT_IMAGE_LIMITS });
    // A thread's first preview of text loads the pixel font: long enough to still be running at the stop.
    const text = new TextEncoder().encode('Table 12 - 2 x burger\n'.repeat(40));
    const running = pool.preview(text).then(
      () => undefined,
      (err: unknown) => err as { code?: string },
    );
    const waiting = pool.preview(text).then(
      () => undefined,
      (err: unknown) => err as { code?: string },
    );
    await pool.close();
    // Each either finished before the stop or was abandoned by it as 503, never an internal error.
    for (const outcome of [await running, await waiting]) {
      if (outcome !== undefined) expect(outcome.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect([await running, await waiting].some((o) => o !== undefined)).toBe(true);
    await expect(pool.preview(text)).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});
