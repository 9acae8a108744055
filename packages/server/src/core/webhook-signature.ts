import { createHmac } from 'node:crypto';

/** The header that carries a delivery's signature. */
export const SIGNATURE_HEADER = 'PrinterMaster-Signature';

/**
 * The value of `PrinterMaster-Signature` for `body` sent at `timestampS` (Unix seconds):
 * `t=<timestampS>,v1=<hex>` with one `v1` per secret, each the HMAC-SHA256 of
 * `<timestampS>.<body>` keyed with the secret's text (the whole `whsec_…` string, as UTF-8).
 * During a rotation's overlap the current secret comes first, then the previous one, so that a
 * receiver holding either verifies. docs/webhooks.md has the receiver's side.
 */
export function signatureHeader(body: string, timestampS: number, secrets: readonly string[]): string {
  const signed = `${timestampS}.${body}`;
  const parts = secrets.map((secret) => `v1=${createHmac('sha256', secret).update(signed, 'utf8').digest('hex')}`);
  return [`t=${timestampS}`, ...parts].join(',');
}

/** The secrets that sign at `now` (Unix ms): the current one, and the previous one during its overlap. */
export function signingSecrets(
  endpoint: { secret: string; previousSecret: string | null; previousSecretUntil: Date | null },
  now: number,
): string[] {
  const previousValid =
    endpoint.previousSecret !== null &&
    endpoint.previousSecretUntil !== null &&
    endpoint.previousSecretUntil.getTime() > now;
  return previousValid ? [endpoint.secret, endpoint.previousSecret as string] : [endpoint.secret];
}
