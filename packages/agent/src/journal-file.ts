import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { type JournalLine, parseJournalLine } from './journal-lines.js';

export interface ReadJournal {
  /** Readable lines in file order, with their 1-based line numbers. */
  entries: { line: JournalLine; lineNo: number }[];
  /** Lines that could not be read, before the last one (damage, not a crash mid-write). */
  damaged: { lineNo: number; raw: string }[];
  /** Bytes cut off the end: a last line torn by a crash mid-write (0 when none). */
  tornBytes: number;
}

/**
 * Reads the journal file and makes its end safe to append to. A crash mid-write leaves a
 * last line without its newline; appending after it would glue the next entry onto the torn
 * one and damage both. So a torn tail is cut off and the cut is synced before anything is
 * appended (a complete last entry that only lacks its newline gets the newline instead).
 * Lines before the last that cannot be read are returned as damage, for the caller to decide.
 */
export function readJournalFile(path: string): ReadJournal {
  if (!existsSync(path)) return { entries: [], damaged: [], tornBytes: 0 };
  const bytes = readFileSync(path);
  let end = bytes.length;
  let tornBytes = 0;
  if (end > 0 && bytes[end - 1] !== 0x0a) {
    const start = bytes.lastIndexOf(0x0a) + 1;
    const tail = bytes.subarray(start).toString('utf8');
    const fd = openSync(path, 'r+');
    try {
      if (parseJournalLine(tail)) writeSync(fd, '\n', end);
      else {
        ftruncateSync(fd, start);
        tornBytes = end - start;
        end = start;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const rows = bytes.subarray(0, end).toString('utf8').split('\n');
  const entries: ReadJournal['entries'] = [];
  const damaged: ReadJournal['damaged'] = [];
  for (const [i, raw] of rows.entries()) {
    if (!raw) continue;
    const line = parseJournalLine(raw);
    if (line) entries.push({ line, lineNo: i + 1 });
    else damaged.push({ lineNo: i + 1, raw });
  }
  return { entries, damaged, tornBytes };
}

/**
 * Replaces the journal at `path` with `lines`, atomically: written and synced to a temporary
 * file, renamed over the old one, and the directory synced, so a crash leaves one or the other.
 */
export function replaceJournalFile(path: string, lines: readonly JournalLine[]): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (const line of lines) writeSync(fd, `${JSON.stringify(line)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDirectory(dirname(path));
}

/** Makes renames in `dir` durable. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
