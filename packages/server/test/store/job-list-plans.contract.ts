import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrintJobListFilter } from '../../src/core/ports/print-job-store.js';
import type { Database } from '../../src/store/database.js';
import { jobListQuery } from '../../src/store/pg-job-list-query.js';

/** A history of finished jobs in two companies, with a few open ones: what a store looks like after months. */
const FINISHED = 20_000;

/** Every plan node's type, depth first, from EXPLAIN (FORMAT JSON). */
function nodeTypes(plan: Record<string, unknown>): string[] {
  const children = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [
    `${plan['Node Type'] as string}${plan['Relation Name'] ? ` on ${plan['Relation Name'] as string}` : ''}`,
    ...children.flatMap(nodeTypes),
  ];
}

/**
 * The job lists the dashboard and the API ask most (jobs waiting, a printer's recent jobs, a platform
 * admin's list across companies, the CSV export's pages) read an index in list order, never the whole
 * history: on a million jobs a sequential scan and sort took 1.5–3.4 s (docs/benchmarks.md, growth).
 */
export function describeJobListPlans(
  label: string,
  open: () => Promise<{ database: Database; teardown: () => Promise<void> }>,
) {
  describe(`job list plans on a long history (${label})`, () => {
    let database: Database;
    let teardown: () => Promise<void>;

    beforeAll(async () => {
      ({ database, teardown } = await open());
      const exec = (q: ReturnType<typeof sql>) => q.execute(database.db);
      for (const company of ['plan-a', 'plan-b']) {
        await exec(sql`INSERT INTO companies (id, name) VALUES (${company}, ${company})`);
        await exec(sql`INSERT INTO branches (id, company_id, name) VALUES (${`${company}-main`}, ${company}, 'Main')`);
      }
      await exec(sql`
        INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                                useful_until, created_at, updated_at, completed_at)
        SELECT 'h-' || g, c, c || '-main', c || '-printer-' || (g % 8),
               (ARRAY['completed', 'completed', 'completed', 'failed', 'cancelled', 'unconfirmed'])[1 + g % 6],
               'kitchen', 5, '\\x1b40'::bytea, 2, t + interval '10 minutes', t, t, t
        FROM generate_series(1, ${FINISHED}) AS g,
             LATERAL (SELECT CASE WHEN g % 2 = 0 THEN 'plan-a' ELSE 'plan-b' END AS c,
                             timestamptz '2026-06-01T00:00:00Z' + make_interval(secs => g) AS t) AS x`);
      await exec(sql`
        INSERT INTO print_jobs (id, company_id, branch_id, printer_id, state, type, priority, content, byte_length,
                                useful_until, created_at)
        SELECT 'open-' || g, 'plan-a', 'plan-a-main', 'plan-a-printer-1',
               (ARRAY['queued', 'held', 'sent', 'accepted', 'printing'])[1 + g % 5], 'kitchen', 5, '\\x1b40'::bytea, 2,
               now() + interval '10 minutes', now()
        FROM generate_series(1, 5) AS g`);
      await exec(sql`ANALYZE print_jobs`);
    });
    afterAll(async () => {
      await database?.close();
      await teardown?.();
    });

    const plan = async (filter: Omit<PrintJobListFilter, 'limit'>) => {
      const query = jobListQuery(database.db, { ...filter, limit: 51 })
        .select(['id'])
        .compile();
      const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': [{ Plan: Record<string, unknown> }] }>({
        ...query,
        sql: `EXPLAIN (FORMAT JSON) ${query.sql}`,
      });
      const explained = rows[0]?.['QUERY PLAN'];
      // PGlite hands the JSON plan over parsed, node-postgres too; a driver that gives text is read here.
      const json = typeof explained === 'string' ? JSON.parse(explained) : explained;
      return nodeTypes(json[0].Plan);
    };
    const openStates = ['queued', 'held', 'sent', 'accepted', 'printing'] as const;
    const cases: [string, Omit<PrintJobListFilter, 'limit'>][] = [
      ['jobs waiting, as a platform admin sees them', { states: [...openStates] }],
      ['jobs waiting in a company', { companyId: 'plan-a', states: [...openStates] }],
      [
        'jobs waiting in a branch, some open states',
        { companyId: 'plan-a', branchId: 'plan-a-main', states: ['queued', 'held', 'sent'] },
      ],
      ['every job, newest first, across companies', {}],
      ['a printer’s recent jobs, across companies', { printerId: 'plan-a-printer-3' }],
      ['a printer’s recent jobs in its company', { companyId: 'plan-a', printerId: 'plan-a-printer-3' }],
      ['a printer idle since long ago', { companyId: 'plan-a', printerId: 'plan-a-printer-gone' }],
      ['a company’s history', { companyId: 'plan-b' }],
      ['a branch’s history', { companyId: 'plan-b', branchId: 'plan-b-main' }],
      [
        'an export page after a cursor',
        { companyId: 'plan-a', cursor: { createdAt: new Date('2026-06-01T02:00:00Z'), id: 'h-7200' } },
      ],
    ];
    for (const [name, filter] of cases)
      it(`reads an index in list order, without a scan or sort of the history: ${name}`, async () => {
        const nodes = await plan(filter);
        expect(nodes.join(' > '), name).not.toMatch(/Seq Scan on print_jobs|Sort/);
        expect(
          nodes.some((n) => /Index (Only )?Scan on print_jobs/.test(n)),
          nodes.join(' > '),
        ).toBe(true);
      });
  });
}
