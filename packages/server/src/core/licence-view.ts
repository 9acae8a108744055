import { isoTime } from '@printermaster/protocol';
import type { License } from './ports/license-store.js';

/** A licence as the admin API and CLI show it: never its key or key hashes. Times ISO 8601. */
export interface LicenceView {
  id: string;
  companyId: string;
  branchId: string;
  /** Last 4 characters of the current key. */
  keyHint: string;
  status: License['status'];
  expiresAt: string | null;
  boundDeviceId: string | null;
  maxPrinters: number;
  features: string[];
  lastValidatedAt: string | null;
  createdAt: string;
  /** While the key replaced by the last rotation is still accepted: when it stops being; else null. */
  previousKeyValidUntil: string | null;
}

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
