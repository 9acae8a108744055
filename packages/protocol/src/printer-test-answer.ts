/** How a printer test ended, as far as the gateway can tell. */
export type TestOutcome = 'printed' | 'failed' | 'unconfirmed';

/** What the agent's answer to a printer test says. */
export interface PrinterTestReply {
  success: boolean;
  /** `unconfirmed`: delivered, but the printer's result is not known (legacy clients, a timeout). */
  outcome: TestOutcome;
  /** The agent acknowledged receiving the test. */
  delivered: boolean;
  message: string;
  error?: string;
  /** ms the agent reported spending. */
  agentProcessingTime?: number;
  sourceClient: 'v2_agent' | 'legacy_client';
}

/**
 * `POST /printing/printers/:id/test` answers with this (without `agentProcessingTime`) once the
 * agent answers, or after 15 s (`outcome: 'unconfirmed'` when it was delivered, else an error).
 */
export interface PrinterTestAnswer extends PrinterTestReply {
  correlationId: string;
  /** ISO 8601. */
  timestamp: string;
  /** Agents of the branch connected to this gateway. */
  clientsAvailable: number;
  /** ms from the request to the answer. */
  processingTime: number;
}
