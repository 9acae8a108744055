import type { Static } from '@sinclair/typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AGENT_EVENT_ACK_SCHEMAS, AGENT_EVENT_REPLY_SCHEMAS, type AgentEventReply } from './agent-event-replies.js';
import { AGENT_EVENT_SCHEMAS, type AgentEventName, type AgentEventPayload } from './agent-events.js';
import type { AgentToGatewayEvents } from './agent-to-gateway-events.js';
import { checkPayload } from './check-payload.js';
import type { Ack } from './errors.js';
import {
  GATEWAY_TO_AGENT_EVENT_SCHEMAS,
  type GatewayToAgentEventName,
  type GatewayToAgentEvents,
  type GatewayToAgentPayload,
  type PrinterTestRequest,
} from './gateway-to-agent-events.js';
import type { GATEWAY_TO_WEB_EVENT_SCHEMAS, GatewayToWebEvents, WebToGatewayEvents } from './gateway-to-web-events.js';
import { WEB_TO_GATEWAY_EVENT_SCHEMAS } from './web-to-gateway-events.js';

type FirstParam<F> = F extends (first: infer A, ...rest: never[]) => void ? A : never;

describe('socket event maps', () => {
  it('name the same events as the payload schemas, with the schemas’ payload types', () => {
    expectTypeOf<keyof AgentToGatewayEvents>().toEqualTypeOf<AgentEventName>();
    expectTypeOf<keyof typeof AGENT_EVENT_REPLY_SCHEMAS>().toEqualTypeOf<AgentEventName>();
    expectTypeOf<keyof GatewayToAgentEvents>().toEqualTypeOf<GatewayToAgentEventName>();
    expectTypeOf<keyof GatewayToWebEvents>().toEqualTypeOf<keyof typeof GATEWAY_TO_WEB_EVENT_SCHEMAS>();
    expectTypeOf<Parameters<AgentToGatewayEvents['print:job:failed']>>().toEqualTypeOf<
      [AgentEventPayload<'print:job:failed'>, Ack<AgentEventReply<'print:job:failed'>>?]
    >();
    expectTypeOf<FirstParam<GatewayToAgentEvents['printer:test']>>().toEqualTypeOf<PrinterTestRequest>();
    expectTypeOf<FirstParam<GatewayToAgentEvents['print:job']>>().toEqualTypeOf<GatewayToAgentPayload<'print:job'>>();
    expectTypeOf<FirstParam<GatewayToWebEvents['printerStatusUpdate']>>().toEqualTypeOf<
      Static<(typeof GATEWAY_TO_WEB_EVENT_SCHEMAS)['printerStatusUpdate']>
    >();
    expect(Object.keys(AGENT_EVENT_REPLY_SCHEMAS).sort()).toEqual(Object.keys(AGENT_EVENT_SCHEMAS).sort());
    expect(Object.keys(AGENT_EVENT_ACK_SCHEMAS).sort()).toEqual(Object.keys(AGENT_EVENT_SCHEMAS).sort());
  });

  it('accept the acknowledgements the gateway sends, and its error answers', () => {
    const at = '2026-11-22T12:00:00.000Z';
    const ok = (data: unknown) => ({ ok: true, data });
    expect(
      checkPayload(
        AGENT_EVENT_ACK_SCHEMAS['printer:discovered'],
        ok({ printerId: 'p1', status: 'saved', timestamp: at }),
      ).ok,
    ).toBe(true);
    expect(
      checkPayload(AGENT_EVENT_ACK_SCHEMAS['print:job:completed'], ok({ jobId: 'j', state: 'completed' })).ok,
    ).toBe(true);
    expect(checkPayload(AGENT_EVENT_ACK_SCHEMAS['print:job:completed'], ok({ jobId: 'j', ignored: true })).ok).toBe(
      true,
    );
    expect(checkPayload(AGENT_EVENT_ACK_SCHEMAS['agent:ping'], ok({ serverTime: at })).ok).toBe(true);
    const refused = { ok: false, error: { code: 'JOB_NOT_FOUND', message: 'print job not found' } };
    expect(checkPayload(AGENT_EVENT_ACK_SCHEMAS['print:job:failed'], refused).ok).toBe(true);
    expect(checkPayload(AGENT_EVENT_ACK_SCHEMAS['print:job:failed'], { ok: true }).ok).toBe(false);
    expect(checkPayload(AGENT_EVENT_ACK_SCHEMAS['printer:discovered'], ok({ printerId: '' })).ok).toBe(false);
  });

  it('accept a printer test as the gateway sends it', () => {
    const request: PrinterTestRequest = {
      printerId: 'p1',
      printerName: 'Kitchen',
      correlationId: 'printer_test_1696700000000_42_k3j9x0a',
      requestTimestamp: '2026-11-22T12:00:00.000Z',
      branchId: 'b1',
      branchName: 'Main street',
      companyName: 'Acme',
      type: 'thermal',
      connection: 'network',
      ip: '10.0.0.5',
      port: 9100,
      capabilities: ['cut'],
      metadata: { requestSource: 'backend_gateway', expectedResponseEvent: 'printer:test:result', timeout: 15_000 },
    };
    expect(checkPayload(GATEWAY_TO_AGENT_EVENT_SCHEMAS['printer:test'], request).ok).toBe(true);
    expect(checkPayload(GATEWAY_TO_AGENT_EVENT_SCHEMAS['printer:test'], { ...request, port: 99_999 })).toMatchObject({
      ok: false,
      problem: { path: '/port' },
    });
  });

  it('name the events web clients send as their schemas, and check their payloads', () => {
    expectTypeOf<keyof WebToGatewayEvents>().toEqualTypeOf<keyof typeof WEB_TO_GATEWAY_EVENT_SCHEMAS>();
    expect(checkPayload(WEB_TO_GATEWAY_EVENT_SCHEMAS.subscribe, { branchId: 'b-1' }).ok).toBe(true);
    expect(checkPayload(WEB_TO_GATEWAY_EVENT_SCHEMAS.unsubscribe, { branchId: '' }).ok).toBe(false);
    expect(checkPayload(WEB_TO_GATEWAY_EVENT_SCHEMAS.subscribe, { branchId: 'b-1', room: 'x' }).ok).toBe(false);
  });
});
