import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(new URL('../../../../', import.meta.url).pathname);

/** README.md and every Markdown file under docs/, as paths relative to `root`. */
function docFiles(root: string): string[] {
  const found: string[] = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) walk(path);
      else if (name.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return found;
}

/** A document's lines, numbered from 1, each marked as prose or as part of a fenced code block. */
function markdownLines(markdown: string): { text: string; line: number; code: boolean }[] {
  let fence: string | undefined;
  return markdown.split('\n').map((text, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return { text, line: i + 1, code: true };
    }
    return { text, line: i + 1, code: fence !== undefined };
  });
}

/**
 * The anchor GitHub gives a heading: its rendered text lower-cased, every character that is not a
 * letter, digit, mark, connector (`_`), space or hyphen dropped, each space a hyphen; a repeated
 * anchor gets `-1`, `-2`, … in order.
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line, code } of markdownLines(markdown)) {
    const heading = code ? undefined : /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The targets of the links on one line of prose (inline code left out). */
function linkTargets(line: string): string[] {
  const text = line.replace(/`[^`]*`/g, '');
  return [
    ...[...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string),
    ...[...text.matchAll(/<a\s[^>]*href="([^"]+)"/g)].map((m) => m[1] as string),
  ];
}

/** What is wrong with the docs under `root`: missing files, missing anchors, mentions of the old contract files. */
function docProblems(root: string): string[] {
  const problems: string[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchors = (file: string): Set<string> => {
    let set = anchorsOf.get(file);
    if (!set) {
      set = headingAnchors(readFileSync(join(root, file), 'utf8'));
      anchorsOf.set(file, set);
    }
    return set;
  };
  for (const file of docFiles(root)) {
    for (const { text, line, code } of markdownLines(readFileSync(join(root, file), 'utf8'))) {
      const old = /\b(PROTOCOL|DESIGN)\.md\b/.exec(text);
      if (old) problems.push(`${file}:${line}: mentions ${old[0]}, which is not in this repository`);
      if (!code) problems.push(...linkProblems(root, file, line, linkTargets(text), anchors));
    }
  }
  return problems;
}

/** What is wrong with the targets of the links on one line of `file`. */
function linkProblems(
  root: string,
  file: string,
  line: number,
  targets: string[],
  anchors: (file: string) => Set<string>,
): string[] {
  const problems: string[] = [];
  for (const target of targets) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
    const [pathPart = '', anchor] = target.split('#', 2);
    const path = decodeURIComponent(pathPart);
    const resolved = path === '' ? file : relative(root, resolve(root, dirname(file), path));
    if (resolved.startsWith('..') || !existsSync(join(root, resolved))) {
      problems.push(`${file}:${line}: ${target}: no file ${resolved}`);
      continue;
    }
    if (anchor === undefined || !resolved.endsWith('.md')) continue;
    if (!anchors(resolved).has(decodeURIComponent(anchor))) {
      problems.push(`${file}:${line}: ${target}: ${resolved} has no heading with anchor #${anchor}`);
    }
  }
  return problems;
}

describe('documentation links', () => {
  it('README.md and docs/**/*.md link only to files and headings that exist, and never to PROTOCOL.md or DESIGN.md', () => {
    expect(docFiles(repo)).toContain('docs/protocol.md');
    expect(docProblems(repo)).toEqual([]);
  });

  describe('the checker itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'pm-doc-links-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    mkdirSync(join(root, 'docs', 'decisions'), { recursive: true });
    writeFileSync(
      join(root, 'docs', 'guide.md'),
      [
        '# Guide',
        '## Print jobs (v2): `print:job`',
        '## Setup',
        '## Setup',
        '```md',
        '## Not a heading',
        '[not a link](missing.md)',
        '```',
      ].join('\n'),
    );
    writeFileSync(join(root, 'docs', 'decisions', '0001-x.md'), '# 0001\n');

    it('accepts links to files, directories and GitHub heading anchors', () => {
      writeFileSync(
        join(root, 'README.md'),
        [
          '[g](docs/guide.md#print-jobs-v2-printjob) [s](docs/guide.md#setup-1) [d](docs/decisions/)',
          '[own](#readme) [web](https://example.com/x.md#y) `[code](nowhere.md)`',
          '# README',
        ].join('\n'),
      );
      expect(docProblems(root)).toEqual([]);
    });

    it('reports a missing file, a missing anchor, a heading inside code, and the old contract files', () => {
      writeFileSync(
        join(root, 'README.md'),
        [
          '[a](docs/nothing.md) [b](docs/guide.md#setup-2)',
          '[c](docs/guide.md#not-a-heading) see PROTOCOL.md section 4',
        ].join('\n'),
      );
      expect(docProblems(root)).toEqual([
        'README.md:1: docs/nothing.md: no file docs/nothing.md',
        'README.md:1: docs/guide.md#setup-2: docs/guide.md has no heading with anchor #setup-2',
        'README.md:2: mentions PROTOCOL.md, which is not in this repository',
        'README.md:2: docs/guide.md#not-a-heading: docs/guide.md has no heading with anchor #not-a-heading',
      ]);
    });
  });
});
