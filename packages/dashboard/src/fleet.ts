import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import type { LiveConnection } from './live.js';
import { type AgentHealth, type Branch, type Job, OPEN_STATES, type Printer, type User } from './types.js';

/** Everything the overview shows: branches, their agents and printers, and the jobs still waiting or held. */
export interface Fleet {
  loaded: boolean;
  error?: string;
  branches: Branch[];
  printers: Printer[];
  agents: AgentHealth[];
  waiting: Job[];
}

const EMPTY: Fleet = { loaded: false, branches: [], printers: [], agents: [], waiting: [] };

/** The API's largest page: beyond it the overview says "200+" rather than paging through a backlog. */
export const WAITING_LIMIT = 200;

/** Agents' health has no live event: it is read again this often (the gateway caches it for up to 60 s). */
const AGENT_POLL_MS = 15_000;

async function loadFleet(user: User): Promise<Fleet> {
  // Cashiers may not list branches (docs/admin-api.md): their one branch is named by id.
  const branchesCall =
    user.role === 'cashier'
      ? Promise.resolve({ branches: [] as Branch[] })
      : api<{ branches: Branch[] }>('GET', '/admin/branches').catch(() => ({ branches: [] as Branch[] }));
  // Each part is shown as soon as it is known; one that fails is named, the others still shown.
  const problems: string[] = [];
  const part = <T>(what: string, call: Promise<T>, empty: T) =>
    call.catch((err: Error) => {
      problems.push(`${what}: ${err.message}`);
      return empty;
    });
  const [branches, printers, agents, waiting] = await Promise.all([
    branchesCall,
    part('printers', api<{ printers: Printer[] }>('GET', '/printing/printers'), { printers: [] }),
    // Agents' health is for managers and up (docs/api.md); a cashier's overview shows printers only.
    user.role === 'cashier'
      ? Promise.resolve({ healthMetrics: [] as AgentHealth[] })
      : part('agents', api<{ healthMetrics: AgentHealth[] }>('GET', '/printing/desktop-health'), {
          healthMetrics: [],
        }),
    part(
      'waiting jobs',
      api<{ jobs: Job[] }>('GET', `/printing/jobs?state=${OPEN_STATES.join(',')}&limit=${WAITING_LIMIT}`),
      { jobs: [] },
    ),
  ]);
  return {
    loaded: true,
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    branches: branches.branches,
    printers: printers.printers,
    agents: agents.healthMetrics,
    waiting: waiting.jobs,
  };
}

/** Branch ids seen anywhere, in a stable order: listed branches first, then any other. */
export function branchIds(fleet: Fleet, user: User): string[] {
  const ids = new Set(fleet.branches.map((b) => b.id));
  if (user.branchId) ids.add(user.branchId);
  for (const p of fleet.printers) ids.add(p.branchId);
  for (const a of fleet.agents) ids.add(a.branchId);
  return [...ids];
}

/** The fleet, kept current by the live socket; read again in full when the connection comes back. */
export function useFleet(user: User, live: LiveConnection): Fleet {
  const [fleet, setFleet] = useState<Fleet>(EMPTY);

  useEffect(() => {
    let stopped = false;
    let printersTimer: ReturnType<typeof setTimeout> | undefined;
    const reload = () =>
      loadFleet(user).then(
        (next) => !stopped && setFleet(next),
        (err: Error) => !stopped && setFleet((f) => ({ ...f, loaded: true, error: err.message })),
      );
    // The gateway's own view (a gone agent, a printer removed) follows a status event: read the
    // printers again shortly after, once a burst of events has passed.
    const rereadPrinters = () => {
      clearTimeout(printersTimer);
      printersTimer = setTimeout(async () => {
        const { printers } = await api<{ printers: Printer[] }>('GET', '/printing/printers');
        if (!stopped) setFleet((f) => ({ ...f, printers }));
      }, 300);
    };
    void reload();
    const offs = [
      live.on('printerStatusUpdate', (entries) => {
        setFleet((f) => ({
          ...f,
          printers: f.printers.map((p) => {
            const e = entries.find((x) => x.printerId === p.id);
            return e ? { ...p, status: e.status, lastSeen: e.lastSeen, statusReason: e.reason } : p;
          }),
        }));
        rereadPrinters();
      }),
      live.on('printerUpdate', ({ action, printer }) => {
        setFleet((f) => {
          const others = f.printers.filter((p) => p.id !== printer.id);
          return { ...f, printers: action === 'deleted' ? others : [...others, printer] };
        });
      }),
      live.on('printJobUpdate', ({ job }) => {
        setFleet((f) => {
          const others = f.waiting.filter((j) => j.id !== job.id);
          return { ...f, waiting: OPEN_STATES.includes(job.state) ? [job, ...others] : others };
        });
      }),
      live.onState((state) => {
        if (state === 'restored') void reload();
      }),
    ];
    // Agents' health and printers' canaries change without a live event: read them again now and then.
    const poll = setInterval(async () => {
      rereadPrinters();
      const agents = await api<{ healthMetrics: AgentHealth[] }>('GET', '/printing/desktop-health').catch(
        () => undefined,
      );
      if (agents && !stopped) setFleet((f) => ({ ...f, agents: agents.healthMetrics }));
    }, AGENT_POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(printersTimer);
      clearInterval(poll);
      for (const off of offs) off();
    };
  }, [user, live]);

  return fleet;
}
