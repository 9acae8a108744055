// The floor agent: the least a branch agent must do per job to keep the durable
// contract (DESIGN.md section 3), with none of the real agent's own code:
//   `print:job` → journal line + fdatasync → acknowledge;
//   per printer, one job at a time: journal `printing` + fdatasync → report
//   `print:job:started` → the ticket and DLE EOT 1 in one write on a kept TCP
//   connection to the virtual printer → its status byte (it has read every byte)
//   → journal `completed` + fdatasync → report `print:job:completed`.
// Journal lines written in one loop turn share one write and one sync (group
// commit). Reports are sent at once and acknowledged by the server; nothing is
// retried (the benchmark never disconnects it).
//   SERVER_URL, PRINTER_PORT, JOURNAL (a file path).
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import { io } from 'socket.io-client';
import { serveCommands } from '../lib/ipc.mjs';

const journal = await open(process.env.JOURNAL, 'a');
let lines = [];
let waiters = [];
let syncing = false;
/** Appends a line; resolves once it is on disk. */
function journalLine(entry) {
  return new Promise((resolve, reject) => {
    lines.push(`${JSON.stringify(entry)}\n`);
    waiters.push({ resolve, reject });
    if (!syncing) {
      syncing = true;
      setImmediate(flush);
    }
  });
}
async function flush() {
  const batch = lines;
  const done = waiters;
  lines = [];
  waiters = [];
  try {
    await journal.write(batch.join(''));
    await journal.datasync();
    for (const w of done) w.resolve();
  } catch (err) {
    for (const w of done) w.reject(err);
  }
  if (lines.length > 0) setImmediate(flush);
  else syncing = false;
}

/** One printer: a kept connection and a FIFO of jobs. */
class Printer {
  queue = [];
  busy = false;
  socket;
  pendingByte;

  link() {
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.socket = connect(Number(process.env.PRINTER_PORT), '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.on('data', (buf) => {
      const resolve = this.pendingByte;
      this.pendingByte = undefined;
      resolve?.(buf[0]);
    });
    this.socket.on('error', () => {});
    return this.socket;
  }

  enqueue(job) {
    this.queue.push(job);
    if (!this.busy) void this.drain();
  }

  async drain() {
    this.busy = true;
    while (this.queue.length > 0) {
      const job = this.queue.shift();
      await journalLine({ id: job.id, state: 'printing' });
      socket.emit(
        'print:job:started',
        { jobId: job.id, printerId: job.printerId, timestamp: new Date().toISOString() },
        () => {},
      );
      const status = new Promise((resolve) => {
        this.pendingByte = resolve;
      });
      this.link().write(Buffer.concat([Buffer.from(job.content, 'base64'), Buffer.from([0x10, 0x04, 0x01])]));
      await status;
      await journalLine({ id: job.id, state: 'completed' });
      socket.emit(
        'print:job:completed',
        {
          jobId: job.id,
          printerId: job.printerId,
          success: true,
          processingTime: 0,
          timestamp: new Date().toISOString(),
        },
        () => {},
      );
      printed++;
    }
    this.busy = false;
  }
}

const printers = new Map();
let printed = 0;
const socket = io(`${process.env.SERVER_URL}/printing-ws`, {
  transports: ['websocket'],
  forceNew: true,
  auth: { floorAgent: true },
});
socket.on('print:job', (job, ack) => {
  journalLine({ id: job.id, state: 'accepted', printerId: job.printerId, content: job.content }).then(() => {
    ack({ ok: true });
    let printer = printers.get(job.printerId);
    if (!printer) {
      printer = new Printer();
      printers.set(job.printerId, printer);
    }
    printer.enqueue(job);
  });
});
await new Promise((resolve, reject) => {
  socket.once('connect', resolve);
  socket.once('connect_error', reject);
});
process.stdout.write(`${JSON.stringify({ msg: 'floor agent connected' })}\n`);

serveCommands({
  info: () => ({ printed, printers: printers.size }),
});
