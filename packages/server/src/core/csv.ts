/**
 * CSV as RFC 4180 writes it: fields separated by commas, records ended by CRLF, a field quoted
 * when it holds a comma, a quote, CR or LF, its quotes doubled.
 *
 * Cells are also made safe to open in a spreadsheet: one that starts with `=`, `+`, `-`, `@`, a
 * tab or CR would be read as a formula (OWASP "CSV injection"), so it gets a leading `'`. That
 * changes what a program reading the file sees, for those cells only; numbers this gateway writes
 * are never negative, and dates and ids never start with those characters.
 */
export type CsvCell = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell's text: empty for null/undefined, ISO 8601 for a date. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF included. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
