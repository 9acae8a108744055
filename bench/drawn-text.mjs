// Reading drawn text back (packages/escpos/src/drawn-text-reader.ts): what the decoder's first
// drawn line costs (the glyph lookup built from the generated index, the pixel font loaded) and what
// each line costs after that. Run `npm run build` first; `node --expose-gc bench/drawn-text.mjs`.
import { codePointsWithKey } from '../packages/escpos/dist/drawn-glyph-table.js';
import { readDrawnText } from '../packages/escpos/dist/drawn-text-reader.js';
import { PixelFont } from '../packages/escpos/dist/pixel-font.js';
import { drawColumnsRow, drawnLineRaster, drawTextLine } from '../packages/escpos/dist/raster-text-lines.js';

const gc = globalThis.gc ?? (() => {});
const heap = () => {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};
const ms = (start) => (performance.now() - start).toFixed(1);
const bits = (picture) => {
  const raster = drawnLineRaster(picture);
  return { bytesPerRow: raster.bytesPerRow, rows: raster.heightDots, data: raster.data };
};
const out = (line) => process.stdout.write(`${line}\n`);

let before = heap();
let start = performance.now();
codePointsWithKey(1);
out(`glyph lookup built: ${ms(start)} ms, ${((heap() - before) / 1e6).toFixed(2)} MB kept`);
start = performance.now();
PixelFont.shared().glyph(0x41);
out(`pixel font loaded: ${ms(start)} ms`);

const plain = { bold: false, underline: false, invert: false, align: 'left', size: 'normal' };
const cases = [
  ['شاورما', plain],
  ['拉面', plain],
  ['牛肉面 大碗 拉面 🍜 x2', plain],
  ['שָׁלוֹם עֲלֵיכֶם', plain],
  ['فلافل مع حمص', { ...plain, bold: true, size: 'double' }],
].map(([text, style]) => [text, bits(drawTextLine(text, style))]);
cases.push(['columns شاورما | 4.50 (576 dots)', bits(drawColumnsRow('شاورما', '4.50', false, 576))]);
let seed = 1;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const noise = Uint8Array.from({ length: 48 * 30 }, (_, i) => (i < 48 * 24 && random() < 0.3 ? random() * 256 : 0));
cases.push(['384 × 30 dots of noise (not text)', { bytesPerRow: 48, rows: 30, data: noise }]);

for (const [, picture] of cases) readDrawnText(picture);
const rounds = 100;
for (const [label, picture] of cases) {
  start = performance.now();
  let text;
  for (let i = 0; i < rounds; i++) text = readDrawnText(picture)?.text;
  out(
    `${label}: ${((performance.now() - start) / rounds).toFixed(2)} ms a line (${text === undefined ? 'an image' : 'read'})`,
  );
}
before = heap();
out(`heap after: ${(before / 1e6).toFixed(1)} MB`);
