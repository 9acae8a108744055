import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TicketSummary, toTicketSummary } from './stored-ticket.js';

const TICKET_FILE = /^(\d+)\.(?:bin|txt)$/;

/** The journal file in a ticket directory: one JSON {@link TicketSummary} per line. */
export const TICKETS_JOURNAL = 'tickets.jsonl';

/** Base name of a ticket's files: the sequence number padded to 6 digits (`000042`). */
export function ticketFileBase(seq: number): string {
  return String(seq).padStart(6, '0');
}

/**
 * A directory of printed tickets: `<seq>.bin` (the exact bytes), `<seq>.txt` (the decoded text,
 * exactly, without a trailing newline added) and `tickets.jsonl`. Writes are synchronous so that
 * whoever is told about a ticket can read its files at once; no fsync, since a lost ticket file on a
 * power cut does not matter for a test printer.
 */
export class TicketDirectory {
  readonly path: string;
  /** The highest sequence number found when the directory was opened; 0 for a new one. */
  readonly lastSeq: number;

  private constructor(path: string, lastSeq: number) {
    this.path = path;
    this.lastSeq = lastSeq;
  }

  /** Creates the directory if needed and finds the highest ticket number already in it. */
  static open(path: string): TicketDirectory {
    mkdirSync(path, { recursive: true });
    let lastSeq = 0;
    for (const name of readdirSync(path)) {
      const match = TICKET_FILE.exec(name);
      if (match) lastSeq = Math.max(lastSeq, Number(match[1]));
    }
    return new TicketDirectory(path, lastSeq);
  }

  /** Writes the ticket's files and appends its journal line. Throws on file system errors. */
  write(ticket: TicketSummary, bytes: Uint8Array): void {
    const base = join(this.path, ticketFileBase(ticket.seq));
    writeFileSync(`${base}.bin`, bytes);
    writeFileSync(`${base}.txt`, ticket.text, 'utf8');
    appendFileSync(join(this.path, TICKETS_JOURNAL), `${JSON.stringify(toTicketSummary(ticket))}\n`, 'utf8');
  }
}
