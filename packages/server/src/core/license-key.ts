import { createHash } from 'node:crypto';

/** The SHA-256 (hex) under which a licence key is stored and looked up; case and spaces around it do not matter. */
export function hashLicenseKey(key: string): string {
  // Keys are 122 random bits, so a plain hash is enough to make a stolen table useless.
  return createHash('sha256').update(key.trim().toLowerCase()).digest('hex');
}
