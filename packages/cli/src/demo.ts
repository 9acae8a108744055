import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { TicketDocument } from '@printermaster/protocol';
import { ChildProcessHandle } from './child-process-handle.js';

export const DEMO_USAGE = `Usage: printermaster demo [--dir ./demo-data] [--exit]

Starts a gateway on the embedded store, a virtual printer and an agent, prints
a sample kitchen ticket and a customer receipt, and shows them. Everything
lives in --dir (cleared first). Without --exit it keeps running until Ctrl-C.
`;

const KITCHEN_TICKET: TicketDocument = {
  paperWidth: 80,
  blocks: [
    { type: 'text', text: 'KITCHEN', size: 'double', align: 'center', bold: true },
    { type: 'text', text: 'Table 12  -  Server: Maria', align: 'center' },
    { type: 'separator', char: '=' },
    { type: 'columns', left: '2x Margherita', right: 'STD', bold: true },
    { type: 'text', text: '   - no basil\n   - extra mozzarella' },
    { type: 'columns', left: '1x Penne arrabbiata', right: 'HOT', bold: true },
    { type: 'columns', left: '1x Tiramisu', right: 'LATER', bold: true },
    { type: 'separator' },
    { type: 'text', text: 'Order #1042', align: 'right' },
    { type: 'cut' },
  ],
};

const RECEIPT: TicketDocument = {
  paperWidth: 80,
  blocks: [
    { type: 'text', text: 'TRATTORIA DEMO', size: 'double-width', align: 'center', bold: true },
    { type: 'text', text: '1 Harbour Street, Springfield', align: 'center' },
    { type: 'separator' },
    { type: 'columns', left: '2x Margherita', right: '24.00' },
    { type: 'columns', left: '1x Penne arrabbiata', right: '11.50' },
    { type: 'columns', left: '1x Tiramisu', right: '6.50' },
    { type: 'separator' },
    { type: 'columns', left: 'TOTAL', right: '42.00', bold: true },
    { type: 'columns', left: 'Card', right: '42.00' },
    { type: 'feed', lines: 1 },
    { type: 'qr', data: 'https://example.com/receipt/1042', size: 5 },
    { type: 'barcode', data: '1042', symbology: 'code128', height: 60 },
    { type: 'text', text: 'Thank you!', align: 'center' },
    { type: 'drawer' },
    { type: 'cut' },
  ],
};

/** `printermaster demo`: the whole system on this machine, printing two tickets. */
export async function runDemo(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let values: { dir?: string; exit?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { dir: { type: 'string' }, exit: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    err(`printermaster demo: ${(e as Error).message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(DEMO_USAGE);
    return 0;
  }
  const dir = resolve(values.dir ?? './demo-data');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(PORT|DATABASE_URL|REDIS_URL|NODE_ENV|PRINTERMASTER_)/.test(k)) delete env[k];
  const children: ChildProcessHandle[] = [];
  const stopAll = async () => {
    for (const c of [...children].reverse()) await c.stop('SIGTERM');
  };
  try {
    out(`Starting the PrinterMaster demo in ${dir}\n`);
    const gateway = new ChildProcessHandle('gateway', ['serve'], {
      ...env,
      HOST: '127.0.0.1',
      PORT: '0',
      PRINTERMASTER_DATA_DIR: `${dir}/gateway`,
    });
    children.push(gateway);
    const listening = JSON.parse(await gateway.waitForLine(/"msg":"gateway listening"/, 60_000)) as { port: number };
    const base = `http://127.0.0.1:${listening.port}`;
    const licenseKey = /Licence key\s+: (\S+)/.exec(await gateway.waitForLine(/Licence key/))?.[1] ?? '';
    const token = /Admin JWT\s+: (\S+)/.exec(await gateway.waitForLine(/Admin JWT/))?.[1] ?? '';
    out(`  gateway          ${base}  (API docs: ${base}/docs)\n`);

    const printer = new ChildProcessHandle(
      'printer',
      ['virtual-printer', '--port', '0', '--control-port', '0', '--dir', `${dir}/tickets`, '--name', 'kitchen'],
      env,
    );
    children.push(printer);
    const printerInfo = JSON.parse(await printer.waitForLine(/virtual printer listening/)) as {
      port: number;
      controlPort: number;
    };
    out(
      `  virtual printer  tcp://127.0.0.1:${printerInfo.port}  (control: http://127.0.0.1:${printerInfo.controlPort}/status)\n`,
    );

    const agent = new ChildProcessHandle(
      'agent',
      [
        'agent',
        '--server',
        base,
        '--license',
        licenseKey,
        '--printer',
        `kitchen=tcp://127.0.0.1:${printerInfo.port}`,
        '--journal',
        `${dir}/agent`,
        '--no-cups',
      ],
      env,
    );
    children.push(agent);
    await agent.waitForLine(/"msg":"connected to the gateway"/, 60_000);
    out('  agent            connected\n\n');

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const printerId = await until(
      async () => {
        const { printers } = (await api('GET', '/printing/printers')) as { printers: { id: string; name: string }[] };
        return printers.find((p) => p.name === 'kitchen')?.id;
      },
      30_000,
      'the agent to report its printer',
    );

    const jobs: string[] = [];
    for (const [type, document] of [
      ['kitchen', KITCHEN_TICKET],
      ['receipt', RECEIPT],
    ] as const) {
      const { job } = (await api('POST', '/printing/jobs', { printerId, type, document })) as { job: { id: string } };
      jobs.push(job.id);
    }
    await until(
      async () => {
        const states = await Promise.all(
          jobs.map(async (id) => ((await api('GET', `/printing/jobs/${id}`)) as { job: { state: string } }).job.state),
        );
        if (states.some((s) => s === 'failed' || s === 'unconfirmed' || s === 'expired'))
          throw new Error(`a demo job ended ${states.join(', ')}`);
        return states.every((s) => s === 'completed') || undefined;
      },
      30_000,
      'both jobs to print',
    );

    const { tickets } = (await (await fetch(`http://127.0.0.1:${printerInfo.controlPort}/tickets`)).json()) as {
      tickets: { seq: number; text: string }[];
    };
    for (const t of tickets) {
      out(`---------------- ticket ${t.seq} ----------------\n${t.text}\n`);
    }
    out(
      [
        '-----------------------------------------------',
        `Printed ${tickets.length} tickets. Where to look:`,
        `  tickets (bytes and text): ${dir}/tickets`,
        `  job history:              curl -H "Authorization: Bearer ${token}" ${base}/printing/jobs`,
        `  agent journal:            npx printermaster agent status --journal ${dir}/agent`,
        `  API docs:                 ${base}/docs`,
        '',
      ].join('\n'),
    );
    if (values.exit) {
      await stopAll();
      return 0;
    }
    out('The demo keeps running; press Ctrl-C to stop it.\n');
    await new Promise<void>((resolveStop) => {
      process.once('SIGINT', () => resolveStop());
      process.once('SIGTERM', () => resolveStop());
    });
    await stopAll();
    return 0;
  } catch (e) {
    err(`printermaster demo: ${(e as Error).message}\n`);
    for (const c of children) {
      const tail = [...c.lines.slice(-5), ...c.stderrLines.slice(-5)];
      if (tail.length) err(`--- ${c.label} (last lines) ---\n${tail.join('\n')}\n`);
    }
    await stopAll();
    return 1;
  }
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
