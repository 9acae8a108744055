import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgent, eventually } from '../../packages/server/test/support/socket-clients.js';
import { baseEnv, E2E_TIMEOUT_MS, GatewayProcess, markedTicket } from '../e2e/system.js';
import { WebhookReceiver } from '../e2e/webhook-receiver.js';

const repo = new URL('../../', import.meta.url).pathname;

interface Block {
  doc: string;
  code: string;
}

/** A doc's command blocks (```sh and ```bash), in order. */
function blocks(doc: string): Block[] {
  const lines = readFileSync(join(repo, 'docs', doc), 'utf8').split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash)\s*$/.test(lines[i] as string)) continue;
    const code: string[] = [];
    for (i++; i < lines.length && !(lines[i] as string).startsWith('```'); i++) code.push(lines[i] as string);
    out.push({ doc, code: code.join('\n') });
  }
  return out;
}

/**
 * The only lines not run as written: each assigns what the test has already set (its gateway's
 * own port, the ids its first start printed) or starts what the test runs itself.
 */
const SKIPPED_LINES: { doc: string; line: string; why: string }[] = [
  {
    doc: 'admin-api.md',
    line: 'export PM_URL=http://localhost:3001',
    why: 'PM_URL: the test gateway, on a port of its own',
  },
  { doc: 'credentials.md', line: 'GW=http://localhost:3001', why: 'GW: the test gateway' },
  { doc: 'credentials.md', line: 'COMPANY=<company id> BRANCH=<branch id>', why: 'set from the first-start output' },
  { doc: 'events.md', line: 'export PM_URL=http://localhost:3001', why: 'PM_URL: the test gateway' },
  {
    doc: 'webhooks.md',
    line: 'PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE=true PORT=3001 npx printermaster serve &',
    why: 'the test gateway runs with PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE=true already',
  },
  { doc: 'webhooks.md', line: 'export PM_URL=http://localhost:3001', why: 'PM_URL: the test gateway' },
  {
    doc: 'webhooks.md',
    line: 'WEBHOOK_SECRET=$(echo "$RESULT" | jq -r .secret) node receiver.mjs &',
    why: "the test's receiver (test/e2e/webhook-receiver.ts) is given the secret from $RESULT",
  },
];

/** Text replaced in a block: a fixed port would collide with other tests running at the same time. */
const RECEIVER_URL_IN_DOCS = 'http://127.0.0.1:4000/hooks';

/**
 * What the shell records of each curl: its arguments and the answer's headers (`-D`), beside
 * what the doc's command prints, which it leaves alone.
 */
const CURL_RECORDER = `curl() { local f; f="$CURL_LOG/$(date +%s%N)"; printf '%s\\n' "$*" > "$f.cmd"; command curl -D "$f.head" "$@"; }`;

interface CurlCall {
  args: string;
  status: number;
  /** The answer's headers, as received. */
  head: string;
}

/**
 * The status each curl command of a block is documented to answer: a `# 401` at the end of its
 * last line or a `# 201 {…}` line right after it; undefined for a 2xx.
 */
function documentedStatuses(code: string): (number | undefined)[] {
  const lines = code.split('\n');
  const out: (number | undefined)[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^\s*#/.test(line) || !/(^|[\s($])curl\s/.test(line)) continue;
    let last = i;
    while ((lines[last] as string).trimEnd().endsWith('\\') && last + 1 < lines.length) last++;
    const own = /\s#\s*(\d{3})\b/.exec(lines[last] as string)?.[1];
    const next = /^\s*#\s*(\d{3})\b/.exec(lines[last + 1] ?? '')?.[1];
    out.push(own || next ? Number(own ?? next) : undefined);
    i = last;
  }
  return out;
}

/**
 * docs/admin-api.md, credentials.md, events.md and webhooks.md, run as written: a new user's path
 * through every ```sh and ```bash block, in order, in bash (`set -euo pipefail`), each doc in a
 * shell of its own whose variables carry from block to block, against a gateway freshly started
 * on the embedded store, with a webhook receiver on this machine.
 */
describe('the platform-integration docs, run as written', () => {
  const root = mkdtempSync(join(tmpdir(), 'pm-platform-docs-'));
  const dataDir = join(root, 'data');
  /** The user's working directory: the docs' commands write key.json and session.json there. */
  const work = join(root, 'work');
  const curlLog = join(root, 'curl');
  const receiver = new WebhookReceiver();
  const gateway = new GatewayProcess(dataDir, {
    PRINTERMASTER_WEBHOOK_ALLOW_PRIVATE: 'true',
    // Streams answer with a heartbeat when nothing comes: a second one shows nothing came.
    PRINTERMASTER_EVENT_STREAM_HEARTBEAT_MS: '1000',
  });
  const agents: Socket[] = [];
  const streams: ChildProcess[] = [];
  let firstStart = { companyId: '', branchId: '' };
  let envFile = '';
  let seenCalls = new Set<string>();
  /** The curl calls of the last block run. */
  let lastCalls: CurlCall[] = [];
  const usedSkips = new Set<string>();

  beforeAll(async () => {
    mkdirSync(work);
    mkdirSync(curlLog);
    // `npx printermaster` as in the checkout, without writing the docs' files into it.
    symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'));
    writeFileSync(join(work, 'package.json'), '{"private":true}\n');
    await receiver.start();
    await gateway.start();
    const idOf = async (label: RegExp) =>
      (/: (\S+)$/.exec(await gateway.proc.waitForLine(label)) as RegExpExecArray)[1] as string;
    firstStart = { companyId: await idOf(/Company id\s+:/), branchId: await idOf(/Branch id\s+:/) };
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    for (const s of agents) s.close();
    for (const s of streams) await stopStream(s);
    await gateway.proc?.stop('SIGTERM');
    await receiver.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  const shellEnv = (): NodeJS.ProcessEnv => ({
    ...baseEnv(),
    // Where the CLI finds the running gateway's embedded store (its admin socket, its JWT secret).
    PRINTERMASTER_DATA_DIR: dataDir,
    CURL_LOG: curlLog,
  });

  /** A new shell for a doc, with the variables the doc says to set. */
  function newShell(name: string, vars: Record<string, string>): void {
    envFile = join(root, `${name}.env.sh`);
    writeFileSync(
      envFile,
      Object.entries(vars)
        .map(([k, v]) => `export ${k}='${v}'\n`)
        .join(''),
    );
  }

  /** The block as the test runs it: skipped lines left out, the receiver's port put in. */
  function script(block: Block): string {
    const lines = block.code.split('\n').filter((line) => {
      const skip = SKIPPED_LINES.find((s) => s.doc === block.doc && s.line === line.trim());
      if (skip) usedSkips.add(`${skip.doc}: ${skip.line}`);
      return !skip;
    });
    const code = lines.join('\n').replaceAll(RECEIVER_URL_IN_DOCS, receiver.url);
    // allexport: the docs set plain shell variables (KEY=…) that later blocks use, as in one shell.
    return `set -euo pipefail\nset -a\nsource '${envFile}'\n${CURL_RECORDER}\n${code}\n`;
  }

  /** The curl calls made since the last look, in order. */
  function newCalls(): CurlCall[] {
    const names = readdirSync(curlLog)
      .filter((f) => f.endsWith('.cmd') && !seenCalls.has(f))
      .sort();
    seenCalls = new Set([...seenCalls, ...names]);
    return names.map((name) => {
      const base = join(curlLog, name.slice(0, -'.cmd'.length));
      let head = '';
      try {
        head = readFileSync(`${base}.head`, 'utf8');
      } catch {
        // no answer at all
      }
      const statuses = [...head.matchAll(/^HTTP\/\S+ (\d{3})/gm)].map((m) => Number(m[1]));
      return { args: readFileSync(`${base}.cmd`, 'utf8').trim(), status: statuses.at(-1) ?? 0, head };
    });
  }

  /**
   * Runs one block in the doc's shell and checks that each curl answered what the doc says (a 2xx
   * unless a `# <status>` comment says otherwise). Returns what it printed.
   */
  async function run(block: Block): Promise<string> {
    let stdout: string;
    try {
      ({ stdout } = await promisify(execFile)('bash', ['-c', `${script(block)}export -p > '${envFile}'\n`], {
        cwd: work,
        env: shellEnv(),
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      throw new Error(
        `${block.doc} block failed (exit ${e.code}):\n${block.code}\n--- stdout\n${e.stdout}\n--- stderr\n${e.stderr}`,
      );
    }
    const calls = newCalls();
    lastCalls = calls;
    const documented = documentedStatuses(block.code);
    const where = `${block.doc} block:\n${block.code}\n--- calls\n${calls.map((c) => `${c.status} curl ${c.args}`).join('\n')}\n--- stdout\n${stdout}`;
    expect(calls.length, where).toBe(documented.length);
    calls.forEach((call, i) => {
      const expected = documented[i];
      if (expected === undefined) expect(call.status >= 200 && call.status < 300, where).toBe(true);
      else expect(call.status, where).toBe(expected);
    });
    return stdout;
  }

  /** A block that runs until stopped (a follow loop, a stream): started, and its output read meanwhile. */
  function startStream(block: Block): { output: () => string; process: ChildProcess } {
    const child = spawn('bash', ['-c', script(block)], {
      cwd: work,
      env: shellEnv(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    streams.push(child);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.stderr?.resume();
    return { output: () => out, process: child };
  }

  async function stopStream(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
    newCalls();
  }

  /** A variable of the doc's shell, as the blocks left it. */
  async function shellVar(name: string): Promise<string> {
    const { stdout } = await promisify(execFile)('bash', ['-c', `source '${envFile}'; printf '%s' "\${${name}:-}"`], {
      env: shellEnv(),
      encoding: 'utf8',
    });
    return stdout;
  }

  const readJson = <T = Record<string, unknown>>(file: string): T =>
    JSON.parse(readFileSync(join(work, file), 'utf8')) as T;

  /** "Print a job": an agent of the licence reports a printer and a job is sent to it. */
  async function printAJob(licenseKey: string, branchId: string, deviceId: string): Promise<string> {
    const agent = await connectAgent(gateway.base, { licenseKey, branchId, deviceId });
    agents.push(agent);
    // It prints what it is sent: the job completes, and is not sent again meanwhile.
    agent.on('print:job', (job: { id: string }, ack: (reply: unknown) => void) =>
      ack({ ok: true, data: { jobId: job.id, state: 'completed' } }),
    );
    const acknowledged = new Promise<string>((resolve) =>
      agent.once('printer:discovery:acknowledged', (a: { printerId: string }) => resolve(a.printerId)),
    );
    agent.emit('printer:discovered', { name: 'Kitchen', type: 'thermal', connection: 'network', status: 'online' });
    const printerId = await acknowledged;
    const job = await gateway.api<{ job: { id: string } }>('POST', '/printing/jobs', {
      printerId,
      content: markedTicket(deviceId),
    });
    expect(job.status).toBe(202);
    return job.body.job.id;
  }

  /** The types of a job's events in the feed so far. */
  async function feedTypes(jobId: string): Promise<string[]> {
    const page = await gateway.api<{ events: { type: string; data: { jobId?: string } }[] }>(
      'GET',
      '/printing/events?after=0&limit=1000&types=job.*',
    );
    return page.body.events.filter((e) => e.data.jobId === jobId).map((e) => e.type);
  }

  /** The feed's last seq, as the gateway's super admin sees it. */
  async function feedHead(): Promise<number> {
    let after = 0;
    for (;;) {
      const page = await gateway.api<{ events: unknown[]; nextCursor: string }>(
        'GET',
        `/printing/events?after=${after}&limit=1000`,
      );
      if (page.body.events.length === 0) return after;
      after = Number(page.body.nextCursor);
    }
  }

  it(
    'admin-api.md: creates a company, a branch and a licence; rotates, binds, deactivates, scopes an owner, revokes',
    async () => {
      newShell('admin-api', { PM_URL: gateway.base });
      const all = blocks('admin-api.md');
      expect(all).toHaveLength(7);
      const [setup, tenants, issue, rotate, deactivate, owner, revoke] = all as Block[];

      await run(setup as Block);
      expect(await shellVar('TOKEN')).toMatch(/^ey/);

      const created = await run(tenants as Block);
      expect(created).toMatch(/"id": "pizza-co"/);
      const branch = await shellVar('BRANCH');
      expect(branch).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).toContain(`"id": "${branch}"`);
      expect(created).toContain('"name": "Harbour"');

      const issued = await run(issue as Block);
      expect(lastCalls[0]?.head).toMatch(/^cache-control: no-store\r?$/im);
      const key = await shellVar('KEY');
      expect(key).toMatch(/^[0-9a-f-]{36}$/);
      expect(await shellVar('LICENCE')).toMatch(/^[0-9a-f-]{36}$/);
      expect(issued.trim()).toBe(`npx printermaster agent --server ${gateway.base} --license ${key}`);

      const rotated = await run(rotate as Block);
      expect(lastCalls[0]?.head).toMatch(/^cache-control: no-store\r?$/im);
      expect(rotated).toMatch(/"licenceKey": "[0-9a-f-]{36}"/);
      expect(rotated).not.toContain(`"licenceKey": "${key}"`);
      expect(rotated).toMatch(/"until": "\d{4}-/);
      expect(rotated).toMatch(/"till-1"\nnull\n$/);

      expect(await run(deactivate as Block)).toBe('"suspended"\n"active"\n');

      const scoped = await run(owner as Block);
      expect(scoped.split('\n')[0]).toBe('"pizza-co"');
      expect(scoped).not.toContain(firstStart.companyId);
      expect(scoped).toContain(`"id": "${await shellVar('LICENCE')}"`);

      expect(await run(revoke as Block)).toBe('"revoked"\n');
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'credentials.md: an API key works as X-API-Key and Bearer until revoked; a session starts, refreshes and logs out',
    async () => {
      newShell('credentials', { GW: gateway.base, COMPANY: firstStart.companyId, BRANCH: firstStart.branchId });
      const all = blocks('credentials.md');
      expect(all).toHaveLength(8);
      const [setup, createKey, revokeKey, startSession, refresh, logout, cliSession, trusted] = all as Block[];

      await run(setup as Block);
      expect(await shellVar('OWNER')).toMatch(/^ey/);

      const used = await run(createKey as Block);
      const created = readJson<{ success: boolean; apiKey: Record<string, string>; key: string }>('key.json');
      expect(created).toMatchObject({ success: true, apiKey: { role: 'cashier', status: 'active' } });
      expect(created.apiKey.prefix).toMatch(/^pm_[0-9a-f]{8}$/);
      expect(created.key).toMatch(new RegExp(`^${created.apiKey.prefix}_[A-Za-z0-9_-]{43}$`));
      expect(await shellVar('KEY')).toBe(created.key);
      // Both headers list the branch's printers.
      expect(used.split('{"success":true,"printers":[]').length - 1).toBe(2);

      const revoked = await run(revokeKey as Block);
      expect(revoked).toContain('"status":"revoked"');
      expect(revoked.trimEnd().endsWith('401')).toBe(true);

      await run(startSession as Block);
      const session = readJson<Record<string, string>>('session.json');
      expect(session).toMatchObject({ success: true, refreshToken: expect.stringMatching(/^pmr_/) });
      expect(session.accessToken).toMatch(/^ey/);
      expect(session.sessionId).toBeTruthy();

      await run(refresh as Block);
      const refreshed = readJson<Record<string, string>>('session.json');
      expect(refreshed.refreshToken).toMatch(/^pmr_/);
      expect(refreshed.refreshToken).not.toBe(session.refreshToken);
      expect(refreshed.sessionId).toBe(session.sessionId);

      const ended = await run(logout as Block);
      expect(ended).toContain('{"success":true,"printers":[]');
      expect(ended).toContain('"code":"AUTH_FAILED"');
      // The session's access token is refused once it logged out.
      const after = await gateway.api('GET', '/printing/printers', undefined, {
        authorization: `Bearer ${refreshed.accessToken}`,
      });
      expect(after.status).toBe(401);

      const pair = JSON.parse(await run(cliSession as Block)) as Record<string, string>;
      expect(Object.keys(pair).sort()).toEqual([
        'accessToken',
        'accessTokenExpiresAt',
        'refreshToken',
        'refreshTokenExpiresAt',
        'sessionId',
      ]);

      // Settings for the gateway's environment: they are shell assignments, and run as such.
      await run(trusted as Block);
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'events.md: reads a page, follows with long-polls, and streams Server-Sent Events',
    async () => {
      // What a new user has done by now: printed a job.
      const jobId = await printAJob(gateway.licenseKey, firstStart.branchId, 'events-till');
      await eventually(async () => (await feedTypes(jobId)).includes('job.completed'), 60_000, 'the job in the feed');
      newShell('events', { PM_URL: gateway.base });
      const all = blocks('events.md');
      expect(all).toHaveLength(5);
      const [setup, page, follow, stream, resume] = all as Block[];

      await run(setup as Block);
      const first = JSON.parse(await run(page as Block)) as { events: { type: string; seq: string }[] };
      const types = first.events.map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['licence.issued', 'licence.revoked', 'job.queued']));

      // The follow loop catches up, then prints an event written while it waits.
      const head = await feedHead();
      const loop = startStream(follow as Block);
      await eventually(() => loop.output().includes(`{"seq":"${head}",`), 60_000, 'the loop caught up');
      const issued = await gateway.api<{ licence: { id: string } }>('POST', '/admin/licences', {
        branchId: firstStart.branchId,
      });
      expect(issued.status).toBe(201);
      await eventually(
        () =>
          loop
            .output()
            .split('\n')
            .some((line) => line.includes('"type":"licence.issued"') && line.includes(issued.body.licence.id)),
        60_000,
        'the loop printed the new event',
      );
      await stopStream(loop.process);

      const sse = startStream(stream as Block);
      await eventually(() => /^data: .*"type":"job.queued"/m.test(sse.output()), 60_000, 'job.queued on the stream');
      await stopStream(sse.process);
      expect(sse.output()).toMatch(/^retry: 2000\n\nid: /);
      // The last piece may be a frame cut off when the stream was stopped.
      const frames = sse
        .output()
        .split('\n\n')
        .slice(0, -1)
        .filter((f) => f.startsWith('id: '));
      expect(frames.length).toBeGreaterThan(0);
      for (const frame of frames) {
        const [, id, data] = /^id: (\d+)\ndata: (.*)$/.exec(frame) as RegExpExecArray;
        const event = JSON.parse(data as string) as { seq: string; type: string };
        expect(event.seq).toBe(id);
        expect(event.type).toMatch(/^job\./);
      }

      // After event 981 there is nothing yet: only heartbeats come.
      const resumed = startStream(resume as Block);
      await eventually(() => resumed.output().split(': heartbeat').length > 2, 60_000, 'two heartbeats');
      await stopStream(resumed.process);
      expect(resumed.output()).toMatch(/^retry: 2000\n\n: heartbeat\n\n/);
      expect(resumed.output()).not.toContain('data:');
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'webhooks.md: registers the receiver, pings it, delivers signed events, redelivers, rotates the secret',
    async () => {
      newShell('webhooks', { PM_URL: gateway.base });
      const all = blocks('webhooks.md');
      expect(all).toHaveLength(4);
      const [setup, register, pingAndLog, redeliver] = all as Block[];

      await run(setup as Block);
      expect(await shellVar('TOKEN')).toMatch(/^ey/);

      await run(register as Block);
      const hook = await shellVar('HOOK');
      expect(hook).toMatch(/^whe_/);
      const secret = (JSON.parse(await shellVar('RESULT')) as { secret: string }).secret;
      expect(secret).toMatch(/^whsec_/);
      receiver.secrets = [secret];

      // "print a job (see api.md)": on a new licence of pizza-co's branch.
      const branches = await gateway.api<{ branches: { id: string }[] }>('GET', '/admin/branches?companyId=pizza-co');
      const harbour = (branches.body.branches[0] as { id: string }).id;
      const licence = await gateway.api<{ licenceKey: string }>('POST', '/admin/licences', { branchId: harbour });
      const jobId = await printAJob(licence.body.licenceKey, harbour, 'harbour-till');
      await eventually(
        () =>
          receiver.deliveries.some((d) => d.type === 'agent.connected' && d.signatureValid) &&
          receiver.deliveries.some((d) => d.type === 'job.completed' && d.subjectId === jobId && d.signatureValid),
        60_000,
        'agent.connected and job.completed at the receiver',
      );
      // The log says delivered once the gateway has recorded each answer.
      await eventually(
        async () => {
          const log = await gateway.api<{ deliveries: { state: string }[] }>(
            'GET',
            `/admin/webhooks/${hook}/deliveries?limit=100`,
          );
          return log.body.deliveries.length > 0 && log.body.deliveries.every((d) => d.state === 'delivered');
        },
        60_000,
        'every delivery recorded as delivered',
      );

      const logged = await run(pingAndLog as Block);
      expect(logged).toMatch(/"delivered": true/);
      expect(logged).toMatch(/"statusCode": 204/);
      expect(logged).toMatch(/"eventType": "job\.completed",\n\s*"state": "delivered"/);
      expect(receiver.deliveries.some((d) => d.type === 'webhook.ping' && d.signatureValid)).toBe(true);

      const before = receiver.deliveries.length;
      const resent = await run(redeliver as Block);
      const delivery = await shellVar('DELIVERY');
      const log = await gateway.api<{ deliveries: { id: string; eventId: string }[] }>(
        'GET',
        `/admin/webhooks/${hook}/deliveries?limit=100`,
      );
      const redelivered = log.body.deliveries.find((d) => d.id === delivery) as { id: string; eventId: string };
      expect(redelivered, `delivery ${delivery} in the log`).toBeDefined();
      await eventually(
        () => receiver.deliveries.slice(before).some((d) => d.eventId === redelivered.eventId && d.signatureValid),
        60_000,
        'the redelivered event at the receiver',
      );
      const newSecret = /"secret": "(whsec_[^"]+)"/.exec(resent)?.[1] as string;
      expect(newSecret).toBeTruthy();
      expect(newSecret).not.toBe(secret);
      expect(resent).toMatch(/"until": "\d{4}-/);
      expect(resent.trimEnd().endsWith('"active"')).toBe(true);

      // Deliveries are signed with the new secret too: a receiver that knows only it accepts them.
      receiver.secrets = [newSecret];
      const beforePing = receiver.deliveries.length;
      const ping = await gateway.api<{ delivered: boolean }>('POST', `/admin/webhooks/${hook}/ping`);
      expect(ping.body.delivered).toBe(true);
      expect(receiver.deliveries.slice(beforePing).some((d) => d.type === 'webhook.ping' && d.signatureValid)).toBe(
        true,
      );
    },
    E2E_TIMEOUT_MS,
  );

  it('skips no more than the lines it lists', () => {
    expect([...usedSkips].sort()).toEqual(SKIPPED_LINES.map((s) => `${s.doc}: ${s.line}`).sort());
  });
});
