/**
 * What the gateway's REST API and socket hand the dashboard: the types of the protocol package,
 * which the gateway itself builds its answers with (docs/api.md, docs/protocol.md). Imports are
 * type-only, so none of the protocol's schema code reaches the browser bundle.
 */
import type {
  BranchView,
  DesktopHealthEntry,
  JobState,
  PrinterTestAnswer,
  PrinterView,
  PrintJobEventView,
  PrintJobView,
  WebSession,
} from '@printermaster/protocol';

export type {
  ApiKeyView,
  BranchView,
  CompanyView,
  DesktopHealthAlertEvent,
  DesktopHealthDetail,
  DesktopHealthEntry,
  DesktopHealthSummary,
  GatewayToWebEvents,
  HealthHistoryEntry,
  JobState,
  LicenceView,
  PaperCheckView,
  PrinterStatus,
  PrinterStatusChangeView,
  PrinterStatusEntry,
  Role,
  StationView,
  WebhookDeliveryView,
  WebhookView,
  WebToGatewayEvents,
} from '@printermaster/protocol';

export type Me = Omit<WebSession, 'success'>;
export type User = WebSession['user'];
export type Printer = PrinterView;
export type Job = PrintJobView;
export type JobEvent = PrintJobEventView;
export type AgentHealth = DesktopHealthEntry;
export type Branch = BranchView;
export type PrinterTestOutcome = Omit<PrinterTestAnswer, 'agentProcessingTime'>;

/** Every job state, in the order of a job's life (the protocol's JOB_STATES, checked below). */
export const JOB_STATES = [
  'queued',
  'held',
  'sent',
  'accepted',
  'printing',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'unconfirmed',
] as const satisfies readonly JobState[];
// Fails to compile when the protocol gains a state this list lacks.
const complete: [Exclude<JobState, (typeof JOB_STATES)[number]>] extends [never] ? true : never = true;
void complete;

export const WAITING_STATES: readonly JobState[] = ['queued', 'sent', 'accepted', 'printing'];
/** Not ended: waiting, or held for a person to release or cancel. */
export const OPEN_STATES: readonly JobState[] = [...WAITING_STATES, 'held'];
