import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { configurationReference } from './configuration-reference.js';
import { settingsTable } from './settings-table.js';

/** A generated part of a Markdown file: what goes between its two marker comments. */
export interface GeneratedSection {
  /** The file, relative to the repository root. */
  file: string;
  /** Names the section in its markers. */
  id: string;
  /** The section's text, printed from the schema. */
  render(): string;
}

/** The parts of the docs printed from the configuration schema by `npm run docs:config`. */
export const CONFIG_SECTIONS: readonly GeneratedSection[] = [
  { file: 'README.md', id: 'configuration table', render: settingsTable },
  { file: 'docs/configuration.md', id: 'configuration reference', render: configurationReference },
];

const begin = (id: string) => `<!-- begin generated ${id}: npm run docs:config -->`;
const end = (id: string) => `<!-- end generated ${id} -->`;

/**
 * `markdown` with the section between its markers replaced by `content`. Throws when the markers
 * are missing, so a heading moved by hand cannot silently stop the docs from being regenerated.
 */
export function withGeneratedSection(markdown: string, id: string, content: string): string {
  const from = markdown.indexOf(begin(id));
  const to = markdown.indexOf(end(id));
  if (from < 0 || to < from)
    throw new Error(`the markers of the generated ${id} are missing: ${begin(id)} … ${end(id)}`);
  return `${markdown.slice(0, from)}${begin(id)}\n${content}\n${markdown.slice(to)}`;
}

/** The repository root, from this file in src/config or dist/config of packages/server. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Rewrites every generated section; returns the files that changed. */
export function writeConfigDocs(root: string = REPOSITORY_ROOT): string[] {
  const changed: string[] = [];
  for (const section of CONFIG_SECTIONS) {
    const path = `${root}${section.file}`;
    const before = readFileSync(path, 'utf8');
    const after = withGeneratedSection(before, section.id, section.render());
    if (after !== before) {
      writeFileSync(path, after);
      changed.push(section.file);
    }
  }
  return changed;
}

// `npm run docs:config` runs this file.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const changed = writeConfigDocs();
  process.stdout.write(changed.length > 0 ? `updated ${changed.join(', ')}\n` : 'configuration docs up to date\n');
}
