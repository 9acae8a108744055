import { isoTime, type LicenceView } from '@printermaster/protocol';
import type { License } from './ports/license-store.js';

export type { LicenceView };

/** The view of `license`; `now` (Unix ms) decides whether a rotation's grace period is still running. */
export function toLicenceView(license: License, now: number): LicenceView {
  const grace = license.previousKeyHash !== null ? license.previousKeyValidUntil : null;
  return {
    id: license.id,
    companyId: license.companyId,
    branchId: license.branchId,
    keyHint: license.keyHint,
    status: license.status,
    expiresAt: time(license.expiresAt),
    boundDeviceId: license.boundDeviceId,
    maxPrinters: license.maxPrinters,
    features: license.features,
    lastValidatedAt: time(license.lastValidatedAt),
    createdAt: isoTime(license.createdAt.getTime()),
    previousKeyValidUntil: grace && grace.getTime() > now ? isoTime(grace.getTime()) : null,
  };
}

function time(date: Date | null): string | null {
  return date && isoTime(date.getTime());
}
