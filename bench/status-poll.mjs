// What the agent's printer status poll costs (issue 19, item 1): 50 printers polled every second,
// all at once (DLE EOT 1, 2, 4 on a short TCP connection each), as PRINTERMASTER_AGENT_STATUS_POLL_INTERVAL_MS
// does by default. The printers are virtual printers in a child process, so that this process's CPU
// time is the poller's alone. Run `npm run build` first; `node bench/status-poll.mjs [printers] [seconds]`.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { TcpPrinter } from '../packages/agent/dist/tcp-printer.js';

const printers = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 30);
const out = (line) => process.stdout.write(`${line}\n`);

if (process.argv[2] === '--serve') {
  const { createVirtualPrinter } = await import('../packages/virtual-printer/dist/index.js');
  const count = Number(process.argv[3]);
  const ports = [];
  for (let i = 0; i < count; i++) ports.push((await createVirtualPrinter({ port: 0 })).port);
  process.send?.({ ports });
} else {
  const child = fork(new URL(import.meta.url), ['--serve', String(printers)]);
  const [{ ports }] = await once(child, 'message');
  const drivers = ports.map((port) => new TcpPrinter({ host: '127.0.0.1', port }));
  const poll = () => Promise.all(drivers.map((driver) => driver.checkStatus()));
  await poll();
  const durations = [];
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  for (let i = 0; i < seconds; i++) {
    const tick = performance.now();
    const states = await poll();
    durations.push(performance.now() - tick);
    if (states.some((s) => !s.ready)) throw new Error('a printer was not ready');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - tick))));
  }
  const cpu = process.cpuUsage(cpuStart);
  const wall = performance.now() - wallStart;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  durations.sort((a, b) => a - b);
  out(`${printers} printers, ${seconds} polls of all of them, one a second`);
  out(
    `poller CPU: ${cpuMs.toFixed(0)} ms in ${(wall / 1000).toFixed(1)} s = ${((100 * cpuMs) / wall).toFixed(2)} % of one core; ${(cpuMs / seconds / printers).toFixed(3)} ms a printer a poll`,
  );
  out(
    `one poll of all printers: median ${durations[Math.floor(seconds / 2)].toFixed(1)} ms, max ${durations.at(-1).toFixed(1)} ms`,
  );
  out(
    `RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB; load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  child.kill();
}
