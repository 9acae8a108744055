import type { PrinterTestResult } from '@printermaster/protocol';

/** How a test ended, as far as the gateway can tell. */
export type TestOutcome = 'printed' | 'failed' | 'unconfirmed';

export interface PrinterTestReply {
  success: boolean;
  outcome: TestOutcome;
  /** The agent acknowledged receiving the test. */
  delivered: boolean;
  message: string;
  error?: string;
  /** ms the agent reported spending. */
  agentProcessingTime?: number;
  sourceClient: 'v2_agent' | 'legacy_client';
}

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
 * even when the page printed (PROTOCOL.md section 9), so such a report is
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
