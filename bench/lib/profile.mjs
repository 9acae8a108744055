// Summaries of V8 .cpuprofile files: self time by function and by component,
// folded stacks (for any flame-graph tool) and a small hand-drawn flame graph.
import { readFileSync, writeFileSync } from 'node:fs';

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function where(url, line) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) u = u.slice(nm + 'node_modules/'.length);
  else {
    const pk = u.indexOf('/packages/');
    if (pk >= 0) u = u.slice(pk + 1);
  }
  return `${u}:${line + 1}`;
}

/** The component a frame belongs to: an npm package, a PrinterMaster package, Node internals, or V8 specials. */
export function category(frame) {
  const name = frame.functionName;
  if (SPECIAL.has(name)) return name;
  const url = frame.url ?? '';
  if (url.startsWith('wasm://')) return '@electric-sql/pglite (wasm)';
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return pkg.startsWith('@printermaster/') ? `${pkg} (linked)` : pkg;
  }
  const pk = /\/packages\/([^/]+)\//.exec(url);
  if (pk) return `@printermaster/${pk[1]}`;
  return 'other';
}

/**
 * @param {string} path a .cpuprofile
 * @returns summary with `top` (functions) and `byCategory`, percentages of busy (non-idle) time
 */
export function analyseProfile(path, { folded, svg, title = 'CPU profile' } = {}) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(prof.nodes.map((n) => [n.id, { ...n, self: 0, total: 0, parent: undefined }]));
  for (const n of nodes.values()) for (const c of n.children ?? []) nodes.get(c).parent = n.id;
  let totalUs = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    totalUs += dt;
    const n = nodes.get(prof.samples[i]);
    if (n) n.self += dt;
  }
  const idleUs = [...nodes.values()]
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((s, n) => s + n.self, 0);
  const busyUs = Math.max(1, totalUs - idleUs);
  const fns = new Map();
  const cats = new Map();
  for (const n of nodes.values()) {
    if (n.self === 0 || n.callFrame.functionName === '(idle)') continue;
    const f = n.callFrame;
    const key = `${f.functionName}|${f.url}|${f.lineNumber}`;
    const cur = fns.get(key) ?? {
      name: f.functionName || '(anonymous)',
      where: where(f.url, f.lineNumber),
      category: category(f),
      us: 0,
    };
    cur.us += n.self;
    fns.set(key, cur);
    const c = category(f);
    cats.set(c, (cats.get(c) ?? 0) + n.self);
  }
  const p = (us) => Math.round((1000 * us) / busyUs) / 10;
  // Inclusive time of PrinterMaster's own functions (synchronous stacks only: work a
  // function starts through an await is counted under the microtask that runs it).
  const own = new Map();
  for (const n of nodes.values()) {
    if (n.self === 0 || n.callFrame.functionName === '(idle)') continue;
    const seen = new Set();
    for (let a = n; a; a = a.parent === undefined ? undefined : nodes.get(a.parent)) {
      const f = a.callFrame;
      if (!category(f).startsWith('@printermaster/')) continue;
      const key = `${f.functionName}|${f.url}|${f.lineNumber}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const cur = own.get(key) ?? { name: f.functionName || '(anonymous)', where: where(f.url, f.lineNumber), us: 0 };
      cur.us += n.self;
      own.set(key, cur);
    }
  }
  const ownInclusive = [...own.values()]
    .sort((a, b) => b.us - a.us)
    .map((f) => ({ name: f.name, where: f.where, percent: p(f.us) }));
  const top = [...fns.values()].sort((a, b) => b.us - a.us).map((f) => ({ ...f, percent: p(f.us), us: undefined }));
  const byCategory = [...cats.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([c, us]) => ({ category: c, percent: p(us) }));

  // Inclusive times for the flame graph (idle excluded).
  const root = [...nodes.values()].find((n) => n.parent === undefined);
  const fill = (n) => {
    let t = n.callFrame.functionName === '(idle)' ? 0 : n.self;
    for (const c of n.children ?? []) t += fill(nodes.get(c));
    n.total = t;
    return t;
  };
  fill(root);
  if (folded) {
    const lines = [];
    const walk = (n, stack) => {
      const label =
        `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url, n.callFrame.lineNumber)}`.trim();
      const s = n === root ? stack : [...stack, label.replace(/;/g, ',')];
      if (n.self > 0 && n.callFrame.functionName !== '(idle)' && s.length) lines.push(`${s.join(';')} ${n.self}`);
      for (const c of n.children ?? []) walk(nodes.get(c), s);
    };
    walk(root, []);
    writeFileSync(folded, `${lines.join('\n')}\n`);
  }
  if (svg) writeFileSync(svg, flameSvg(root, nodes, title, busyUs));
  return {
    totalMs: Math.round(totalUs / 1000),
    busyPercent: Math.round((1000 * busyUs) / Math.max(1, totalUs)) / 10,
    top,
    byCategory,
    ownInclusive,
  };
}

const PALETTE = {
  'node: internals': '#9ecae1',
  '(garbage collector)': '#fdae6b',
  '(program)': '#d9d9d9',
  '(native / V8 builtins)': '#c7c7c7',
};
function colorFor(cat) {
  if (PALETTE[cat]) return PALETTE[cat];
  if (cat.startsWith('@printermaster/')) return '#e6550d';
  if (/pglite|electric-sql/.test(cat)) return '#756bb1';
  if (/^pg/.test(cat) || cat === 'kysely') return '#9e9ac8';
  if (/socket\.io|engine\.io|^ws$/.test(cat)) return '#31a354';
  if (/fastify|find-my-way|avvio|light-my-request/.test(cat)) return '#3182bd';
  if (/pino/.test(cat)) return '#fd8d3c';
  let h = 0;
  for (const ch of cat) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h},45%,70%)`;
}

/** An icicle-style flame graph (callers on top), widths ∝ inclusive busy time. */
function flameSvg(root, nodes, title, busyUs) {
  const width = 1200;
  const rowH = 15;
  const rects = [];
  let maxDepth = 0;
  const minUs = busyUs * 0.002;
  const draw = (n, x, depth) => {
    if (n.total < minUs) return;
    const w = (n.total / busyUs) * width;
    maxDepth = Math.max(maxDepth, depth);
    if (n !== undefined && depth >= 0) {
      const f = n.callFrame;
      const name = f.functionName || '(anonymous)';
      const cat = category(f);
      const label = w > 40 ? name.slice(0, Math.floor(w / 6.5)) : '';
      const pctText = ((100 * n.total) / busyUs).toFixed(1);
      rects.push(
        `<g><title>${escapeXml(`${name} ${where(f.url, f.lineNumber)} [${cat}] ${pctText} %`)}</title><rect x="${x.toFixed(1)}" y="${30 + depth * rowH}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${rowH - 1}" fill="${colorFor(cat)}"/>${label ? `<text x="${(x + 2).toFixed(1)}" y="${30 + depth * rowH + 11}" font-size="10">${escapeXml(label)}</text>` : ''}</g>`,
      );
    }
    let cx = x;
    for (const c of n.children ?? []) {
      const child = nodes.get(c);
      draw(child, cx, depth + 1);
      cx += (child.total / busyUs) * width;
    }
  };
  let x = 0;
  for (const c of root.children ?? []) {
    const child = nodes.get(c);
    draw(child, x, 0);
    x += (child.total / busyUs) * width;
  }
  const height = 40 + (maxDepth + 1) * rowH;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="4" y="18" font-size="13" font-family="sans-serif">${escapeXml(title)} — busy time only; hover for details</text>
${rects.join('\n')}
</svg>
`;
}

function escapeXml(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
