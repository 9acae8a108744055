import type { RepairedSequence } from '@printermaster/server';

/** One line for the operator about a sequence `repairSequences` moved up. */
export function describeRepair(fix: RepairedSequence): string {
  return (
    `sequence ${fix.sequence} was behind ${fix.table}.${fix.column} (last given ${fix.from ?? 'none'}, highest ${fix.to}): ` +
    `moved up to ${fix.to}, so that inserts do not collide with existing rows`
  );
}
