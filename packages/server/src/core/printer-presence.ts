import type { PrinterView } from '@printermaster/protocol';
import type { AgentDirectory, AgentRecord } from './ports/agent-directory.js';
import type { Printer } from './ports/printer-store.js';
import { toPrinterView } from './printer-view.js';

/**
 * Printers as they can be reached now. A printer's stored status is what its agent last
 * reported; once no agent that can reach it is connected (on any gateway process), that
 * report no longer holds, and the printer is shown `offline` with `statusReason:
 * "agent_disconnected"`. Worked out when read, so that an agent's disconnect writes nothing.
 */
export class PrinterPresence {
  constructor(private readonly directory: Pick<AgentDirectory, 'inBranch'>) {}

  async views(printers: readonly Printer[]): Promise<PrinterView[]> {
    const branches = [...new Set(printers.map((p) => p.branchId))];
    const agents = new Map<string, AgentRecord[]>();
    await Promise.all(branches.map(async (b) => agents.set(b, await this.directory.inBranch(b))));
    return printers.map((p) => {
      const view = toPrinterView(p);
      if (!reachable(p, agents.get(p.branchId) ?? [])) {
        view.status = 'offline';
        view.statusReason = 'agent_disconnected';
      }
      return view;
    });
  }

  async view(printer: Printer): Promise<PrinterView> {
    return (await this.views([printer]))[0] as PrinterView;
  }
}

/**
 * Whether a connected agent can reach the printer: the agent that reported it, or, for a
 * network printer or one set up by hand, any v2 agent of its branch (the dispatcher's rule).
 */
function reachable(p: Printer, agents: readonly AgentRecord[]): boolean {
  if (p.deviceId !== null && agents.some((a) => a.deviceId === p.deviceId)) return true;
  if (p.connection === 'network' || p.deviceId === null) return agents.some((a) => a.protocol === 'v2');
  return false;
}
