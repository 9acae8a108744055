/**
 * ESC/POS commands a printer answers (real-time status DLE EOT / DLE ENQ, GS r, GS I, automatic
 * status back GS a and GS j, GS ( H, ESC u, ESC v), by their first bytes. Other GS ( functions
 * (QR codes, graphics) answer nothing. Raster data can hold the same bytes by chance; that only
 * costs the connection's reuse.
 */
const ANSWERED: readonly (readonly number[])[] = [
  [0x10, 0x04],
  [0x10, 0x05],
  [0x1d, 0x72],
  [0x1d, 0x49],
  [0x1d, 0x61],
  [0x1d, 0x6a],
  [0x1d, 0x28, 0x48],
  [0x1b, 0x75],
  [0x1b, 0x76],
];

/** Whether the job may make the printer send bytes of its own, which could arrive after our confirmation. */
export function answersBack(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x10 && b !== 0x1d && b !== 0x1b) continue;
    if (ANSWERED.some((seq) => seq.every((x, k) => bytes[i + k] === x))) return true;
  }
  return false;
}
