import { randomUUID } from 'node:crypto';
import { describeError, type Target } from './target-url.js';

/** A refusal or failure of one gateway call, with the call named so the one-line report says where. */
export class SmokeStepError extends Error {
  override readonly name = 'SmokeStepError';
}

/** The company and branch the smoke test provisions when given a super_admin token and no licence. */
export const SMOKE_TENANT_ID = 'printermaster-smoke';

/** The REST calls the smoke test makes, with the token it was given. */
export class SmokeGatewayClient {
  constructor(
    private readonly target: Target,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** The JSON answer of a 2xx; anything else throws with the status and the gateway's error code. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const found = await this.request<T>(method, path, body);
    if (found === undefined) throw new SmokeStepError(`${method} ${path}: 404 not found`);
    return found;
  }

  /** Like `call`, but `undefined` for a 404 (`find`, not `get`). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    let res: Response;
    try {
      res = await fetch(`${this.target.href}${path}`, {
        method,
        headers: {
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json', 'idempotency-key': randomUUID() } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new SmokeStepError(`${method} ${path}: ${describeError(err)}`);
    }
    const text = await res.text();
    if (res.status === 404) return undefined;
    if (!res.ok) {
      let detail = text.slice(0, 200);
      try {
        // The gateway's error envelope: { success: false, code, message }.
        const json = JSON.parse(text) as { code?: string; message?: string };
        detail = json.code ? `${json.code}: ${json.message}` : (json.message ?? detail);
      } catch {
        // not JSON (a proxy's error page): its start is shown as it is
      }
      throw new SmokeStepError(`${method} ${path}: ${res.status} ${detail}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new SmokeStepError(`${method} ${path}: answer is not JSON (is --target the gateway?)`);
    }
  }

  /**
   * A licence of the smoke test's own branch (company and branch `printermaster-smoke`, created
   * the first time), issued for this run: needs a super_admin token. The caller revokes it.
   */
  async issueSmokeLicence(): Promise<{ licenceId: string; licenceKey: string; branchId: string }> {
    const company = await this.request<{ company: { status: string } }>('GET', `/admin/companies/${SMOKE_TENANT_ID}`);
    if (!company) {
      await this.call('POST', '/admin/companies', { id: SMOKE_TENANT_ID, name: 'PrinterMaster smoke test' });
    } else if (company.company.status !== 'active') {
      await this.call('POST', `/admin/companies/${SMOKE_TENANT_ID}/activate`);
    }
    const branch = await this.request<{ branch: { status: string } }>('GET', `/admin/branches/${SMOKE_TENANT_ID}`);
    if (!branch) {
      await this.call('POST', '/admin/branches', {
        companyId: SMOKE_TENANT_ID,
        id: SMOKE_TENANT_ID,
        name: 'Smoke test',
      });
    } else if (branch.branch.status !== 'active') {
      await this.call('POST', `/admin/branches/${SMOKE_TENANT_ID}/activate`);
    }
    const issued = await this.call<{ licence: { id: string }; licenceKey: string }>('POST', '/admin/licences', {
      branchId: SMOKE_TENANT_ID,
      maxPrinters: 1,
    });
    return { licenceId: issued.licence.id, licenceKey: issued.licenceKey, branchId: SMOKE_TENANT_ID };
  }

  /** The branch of a licence key, as the agent learns it (the legacy validate call needs no token). */
  async licenceBranch(licenseKey: string): Promise<string> {
    const res = await this.call<{ data: { branchId: string } }>('POST', '/api/v1/printer-licenses/validate', {
      licenseKey,
    });
    return res.data.branchId;
  }
}
