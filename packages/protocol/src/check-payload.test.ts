import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { checkPayload } from './check-payload.js';
import { PrintJobDeliverySchema } from './gateway-to-agent-events.js';
import { INSTANT_FORMAT } from './input-rules.js';
import { PrintJobViewSchema } from './print-job.js';

const delivery = {
  id: 'job-1',
  printerId: 'p1',
  printerName: 'Kitchen',
  content: Buffer.from('hello').toString('base64'),
  encoding: 'base64',
  type: 'kitchen',
  priority: 5,
  copies: 1,
  usefulUntil: '2026-11-22T13:00:00.000Z',
  timestamp: '2026-11-22T12:00:00.000Z',
  attempt: 1,
  printer: { connection: 'network', ip: '192.168.1.50', port: 9100 },
};

describe('checkPayload', () => {
  it('returns a valid payload as it is', () => {
    expect(checkPayload(PrintJobDeliverySchema, delivery)).toEqual({ ok: true, value: delivery });
  });

  it('names the first field that breaks the schema', () => {
    expect(checkPayload(PrintJobDeliverySchema, { ...delivery, content: 'not base64!' })).toMatchObject({
      ok: false,
      problem: { path: '/content' },
    });
    const { id: _, ...withoutId } = delivery;
    expect(checkPayload(PrintJobDeliverySchema, withoutId)).toMatchObject({ ok: false, problem: { path: '/id' } });
  });

  it('applies the input rules before the schema, even to fields the schema lets through', () => {
    const result = checkPayload(PrintJobDeliverySchema, { ...delivery, orderData: { note: 'a\u0000b' } });
    expect(result).toEqual({
      ok: false,
      problem: { path: '/orderData/note', message: 'contains a NUL character (U+0000)' },
    });
  });

  it('says `/` for a problem with the payload itself', () => {
    expect(checkPayload(PrintJobDeliverySchema, 'a string')).toMatchObject({ ok: false, problem: { path: '/' } });
    expect(checkPayload(Type.String(), '\u0000')).toMatchObject({ ok: false, problem: { path: '/' } });
  });

  it('checks instants within years 1–9999 and RFC 3339 date-times', () => {
    const Instant = Type.String({ format: INSTANT_FORMAT });
    expect(checkPayload(Instant, '2026-01-01T00:00:00Z').ok).toBe(true);
    expect(checkPayload(Instant, '+010000-01-01T00:00:00Z').ok).toBe(false);
    const view = {
      id: 'j',
      companyId: 'c',
      branchId: 'b',
      printerId: 'p',
      state: 'queued',
      type: 'receipt',
      priority: 5,
      copies: 1,
      byteLength: 10,
      attempts: 0,
      usefulUntil: '2026-11-22T13:00:00.000Z',
      createdAt: '2026-11-22T12:00:00.000Z',
      updatedAt: '2026-11-22T12:00:00.000Z',
    };
    expect(checkPayload(PrintJobViewSchema, view).ok).toBe(true);
    expect(checkPayload(PrintJobViewSchema, { ...view, createdAt: 'yesterday' })).toMatchObject({
      ok: false,
      problem: { path: '/createdAt' },
    });
  });
});
