export {
  type ControlServer,
  type ControlServerOptions,
  type ControlStatus,
  startControlServer,
} from './control-server.js';
export { type Faults, NO_FAULTS } from './faults.js';
export { InvalidFaultsError, parseFaultsPatch } from './parse-faults-patch.js';
export type { StoredTicket, TicketSummary } from './stored-ticket.js';
export { TICKETS_JOURNAL, ticketFileBase } from './ticket-directory.js';
export {
  createVirtualPrinter,
  type VirtualPrinter,
  type VirtualPrinterEvents,
  type VirtualPrinterOptions,
} from './virtual-printer.js';
export { runVirtualPrinterCli, VIRTUAL_PRINTER_USAGE, type VirtualPrinterCliIo } from './virtual-printer-cli.js';
