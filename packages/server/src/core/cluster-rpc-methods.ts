import type { PrinterTestRequest, PrinterTestResult } from '@printermaster/protocol';
import type { HealthHistoryEntry } from './agent-health-tracker.js';

/** A printer test for an agent held by the receiving process. */
export interface ForwardedTestRequest {
  deviceId: string;
  branchId: string;
  request: PrinterTestRequest;
}

/** What an agent answered to a forwarded test, on its way back to the process that sent it. */
export interface ForwardedTestReply {
  correlationId: string;
  kind: 'ack' | 'result';
  result?: PrinterTestResult;
}

/**
 * The methods one gateway process may call on another (ClusterRpc), with their request
 * and reply. Every cross-process call the gateway makes is listed here.
 */
export interface ClusterRpcMethods {
  /** Send a printer test to an agent connected to the receiving process. */
  'printerTest.forward': { request: ForwardedTestRequest; reply: { sent: true } };
  /** An ack or result of a forwarded test, back to the process that holds the pending request. */
  'printerTest.reply': { request: ForwardedTestReply; reply: { received: true } };
  /** Jobs wait in a branch whose agent the receiving process holds: dispatch them. */
  'jobs.ready': { request: { branchId: string }; reply: { kicked: boolean } };
  /** The latency history of an agent held by the receiving process (the last 100 samples). */
  'health.history': { request: { branchId: string; deviceId: string }; reply: HealthHistoryEntry[] };
}

export type ClusterRpcMethod = keyof ClusterRpcMethods;

/** A request as the receiving process reads it: the method names its payload's type. */
export interface RpcRequest<M extends ClusterRpcMethod = ClusterRpcMethod> {
  kind: 'request';
  id: string;
  /** Instance id of the caller; the reply goes to its channel. */
  from: string;
  method: M;
  payload: ClusterRpcMethods[M]['request'];
}
