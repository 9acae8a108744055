import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestGateway, type TestGateway } from '../../packages/server/test/support/test-gateway.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface RecordingRule {
  record: string;
  expr: string;
}

const rules = (
  parse(read('deploy/prometheus/recording-rules.yml')) as { groups: { rules: RecordingRule[] }[] }
).groups.flatMap((g) => g.rules);

/** The names runbooks 002 and 003 query or alert on (issue 17, item 3). */
const RUNBOOK_NAMES = [
  'http_requests_total',
  'http_request_duration_seconds_bucket',
  'websocket_connections_active',
  'process_heap_used_bytes',
  'process_heap_total_bytes',
  'database_connected',
  'uptime_seconds',
  'request_duration_ms',
];

function promtool(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/bin', '/usr/bin'];
  return dirs.map((d) => join(d, 'promtool')).find((p) => p.startsWith('/') && existsSync(p));
}

/**
 * deploy/prometheus/recording-rules.yml: the runbooks' metric names recorded from ours, read by
 * Prometheus beside the alerts, documented side by side in docs/metrics.md.
 */
describe('the runbooks’ metric names as Prometheus recording rules', () => {
  it('records every name the runbooks query, once each, and Prometheus loads the file', () => {
    const recorded = rules.map((r) => r.record);
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(recorded).toEqual(expect.arrayContaining(RUNBOOK_NAMES));
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files: string[] };
    expect(prometheus.rule_files).toContain('recording-rules.yml');
  });

  it('documents each recorded name beside ours in docs/metrics.md', () => {
    const doc = read('docs/metrics.md');
    for (const { record } of rules) expect(doc, record).toContain(`\`${record}`);
  });

  describe('against the metrics a running gateway exports', () => {
    let gateway: TestGateway | undefined;
    const exported = new Set<string>();

    beforeAll(async () => {
      gateway = await startTestGateway();
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exported.add(name as string);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`);
      }
    });
    afterAll(() => gateway?.close());

    it('reads only names the gateway exports', () => {
      const used = new Set(
        rules.flatMap((r) => [...r.expr.matchAll(/\b(printermaster_[a-z0-9_]+)\b/g)].map((m) => m[1])),
      );
      expect([...used].filter((n) => !exported.has(n as string))).toEqual([]);
    });

    it('exports database_connected as 1 while the store answers', async () => {
      const text = await (await fetch(`${gateway?.url}/metrics`)).text();
      expect(text).toMatch(/^printermaster_database_connected 1$/m);
    });
  });

  const tool = promtool();
  it.skipIf(!tool)('passes promtool’s check and its unit tests (recording-rules.test.yml)', () => {
    for (const args of [
      ['check', 'rules', join(root, 'deploy/prometheus/recording-rules.yml')],
      ['test', 'rules', join(root, 'deploy/prometheus/recording-rules.test.yml')],
    ]) {
      const result = spawnSync(tool as string, args, { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});
