import type {
  PrinterTestAnswer,
  PrinterTestCompletedEvent,
  PrinterTestReply,
  PrinterTestResult,
  TestOutcome,
} from '@printermaster/protocol';
import { isoTime } from '@printermaster/protocol';
import { GatewayError } from './gateway-error.js';
import type { RateLimiter } from './ports/rate-limiter.js';

export type { PrinterTestAnswer, PrinterTestReply, TestOutcome };

/** A legacy client's acknowledgement: the most it can tell at once (its result comes ~20 s later). */
export const LEGACY_DELIVERED: PrinterTestReply = {
  success: true,
  outcome: 'unconfirmed',
  delivered: true,
  message:
    'the desktop app received the test; this app version reports the outcome about 20 s later, as printer:test:completed',
  sourceClient: 'legacy_client',
};

/**
 * What a result means. Legacy clients report `success: false, "Print job timeout"`
 * even when the page printed (docs/protocol.md#legacy-desktop-clients), so such a report is
 * `unconfirmed`, not a failure.
 */
export function interpret(result: PrinterTestResult, legacy: boolean): PrinterTestReply {
  const sourceClient = legacy ? 'legacy_client' : 'v2_agent';
  const text = result.message ?? result.error;
  if (result.success) {
    const reply: PrinterTestReply = {
      success: true,
      outcome: 'printed',
      delivered: true,
      message: text ?? 'test page printed',
      sourceClient,
    };
    if (result.processingTime !== undefined) reply.agentProcessingTime = result.processingTime;
    return reply;
  }
  if (legacy && /timeout/i.test(`${result.message ?? ''} ${result.error ?? ''}`)) {
    return {
      success: true,
      outcome: 'unconfirmed',
      delivered: true,
      message:
        'the desktop app took the test but reported a timeout it also reports for printed pages; check the printer',
      sourceClient,
    };
  }
  return {
    success: false,
    outcome: 'failed',
    delivered: true,
    message: text ?? 'the printer test failed',
    error: result.error ?? result.message ?? 'printer test failed',
    ...(result.processingTime !== undefined ? { agentProcessingTime: result.processingTime } : {}),
    sourceClient,
  };
}

/** The `printer:test:completed` event the branch's dashboards get for an agent's result. */
export function completedEvent(
  result: PrinterTestResult,
  reply: PrinterTestReply,
  correlationId: string,
  receivedAt: string,
): PrinterTestCompletedEvent {
  const event: PrinterTestCompletedEvent = {
    printerId: result.printerId,
    correlationId,
    success: reply.success,
    message: reply.message,
    timestamp: receivedAt,
    receivedAt,
    sourceClient: reply.sourceClient,
    outcome: reply.outcome,
  };
  if (reply.error) event.error = reply.error;
  if (result.processingTime !== undefined) event.processingTime = result.processingTime;
  return event;
}

/** `T` with its optional fields required to be named (possibly as `undefined`). */
type EveryField<T> = { [K in keyof Required<T>]: T[K] };

/** What `POST /printing/printers/:id/test` answers. */
/** The answer to the caller; times are Unix ms. */
export function testAnswer(
  reply: PrinterTestReply,
  at: { correlationId: string; clientsAvailable: number; startedAt: number; now: number },
): PrinterTestAnswer {
  // Every field of the reply is named (a field added to PrinterTestReply and missing here does
  // not compile), rather than spread in: spread takes V8's slow path when shapes vary.
  const answer: EveryField<PrinterTestReply> & Omit<PrinterTestAnswer, keyof PrinterTestReply> = {
    success: reply.success,
    outcome: reply.outcome,
    delivered: reply.delivered,
    message: reply.message,
    error: reply.error,
    agentProcessingTime: reply.agentProcessingTime,
    sourceClient: reply.sourceClient,
    correlationId: at.correlationId,
    timestamp: isoTime(at.now),
    clientsAvailable: at.clientsAvailable,
    processingTime: at.now - at.startedAt,
  };
  return answer;
}

/** Takes one test from a limit; `RATE_LIMIT_EXCEEDED` with the wait when the limit refuses. */
export async function consumeTest(limiter: RateLimiter, key: string, scope: 'branch' | 'printer'): Promise<void> {
  const waitMs = await limiter.consume(key);
  if (waitMs === undefined) return;
  const resetIn = Math.max(1, Math.ceil(waitMs / 1000));
  throw new GatewayError('RATE_LIMIT_EXCEEDED', {
    message: `too many printer tests for this ${scope}; try again in ${resetIn} s`,
    details: { resetIn, scope },
  });
}
