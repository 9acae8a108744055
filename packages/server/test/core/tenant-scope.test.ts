import { describe, expect, it } from 'vitest';
import type { UserPrincipal } from '../../src/core/principal.js';
import {
  currentTenantScope,
  runAsGateway,
  runInTenantScope,
  runRequest,
  runUserRequest,
  scopeRequestToUser,
  trackTenantScopes,
} from '../../src/core/tenant-scope.js';

const cashier: UserPrincipal = { kind: 'user', userId: 'u1', role: 'cashier', companyId: 'acme', branchId: 'b1' };
const admin: UserPrincipal = { kind: 'user', userId: 'u2', role: 'super_admin' };
const tick = () => new Promise((r) => setImmediate(r));

describe('tenant scopes', () => {
  it('are the gateway’s own and cost nothing until a database that enforces them is open', async () => {
    expect(runUserRequest(() => currentTenantScope())).toEqual({ kind: 'gateway' });
    expect(() => runUserRequest(() => scopeRequestToUser(cashier))).not.toThrow();
    trackTenantScopes();
    expect(runUserRequest(() => currentTenantScope())).toEqual({ kind: 'none' });
  });

  it('start a user request with no company and narrow it to the caller’s, for everything it awaits', async () => {
    trackTenantScopes();
    const seen = await runUserRequest(async () => {
      const before = currentTenantScope();
      await tick();
      scopeRequestToUser(cashier);
      const later = new Promise((resolve) => setTimeout(() => resolve(currentTenantScope()), 1));
      return { before, after: currentTenantScope(), later: await later };
    });
    expect(seen).toEqual({
      before: { kind: 'none' },
      after: { kind: 'company', companyId: 'acme' },
      later: { kind: 'company', companyId: 'acme' },
    });
    expect(currentTenantScope()).toEqual({ kind: 'gateway' });
  });

  it('keeps concurrent requests apart', async () => {
    trackTenantScopes();
    const other: UserPrincipal = { ...cashier, companyId: 'globex' };
    const request = (user: UserPrincipal) =>
      runUserRequest(async () => {
        await tick();
        scopeRequestToUser(user);
        await tick();
        return currentTenantScope();
      });
    expect(await Promise.all([request(cashier), request(other)])).toEqual([
      { kind: 'company', companyId: 'acme' },
      { kind: 'company', companyId: 'globex' },
    ]);
  });

  it('gives a super_admin every company, and a token of another role without a company none', async () => {
    trackTenantScopes();
    expect(
      runUserRequest(() => {
        scopeRequestToUser(admin);
        return currentTenantScope();
      }),
    ).toEqual({ kind: 'gateway' });
    const companyless: UserPrincipal = { kind: 'user', userId: 'u3', role: 'company_owner' };
    expect(
      runUserRequest(() => {
        scopeRequestToUser(companyless);
        return currentTenantScope();
      }),
    ).toEqual({ kind: 'none' });
  });

  it('narrows no work but a request handler’s: a hook that authenticates leaves the gateway’s work alone', () => {
    trackTenantScopes();
    scopeRequestToUser(cashier);
    expect(currentTenantScope()).toEqual({ kind: 'gateway' });
    expect(
      runAsGateway(() => {
        scopeRequestToUser(cashier);
        return currentTenantScope();
      }),
    ).toEqual({ kind: 'gateway' });
  });

  it('runs any request handler as the gateway until it authenticates a user, in the scope it already has if any', () => {
    trackTenantScopes();
    expect(runRequest(() => currentTenantScope())).toEqual({ kind: 'gateway' });
    expect(
      runRequest(() => {
        scopeRequestToUser(cashier);
        return currentTenantScope();
      }),
    ).toEqual({ kind: 'company', companyId: 'acme' });
    // A web user's route wraps the handler from outside: the request keeps starting with no company.
    expect(runUserRequest(() => runRequest(() => currentTenantScope()))).toEqual({ kind: 'none' });
  });

  it('lets the gateway’s own work started from a request leave the request’s scope', async () => {
    trackTenantScopes();
    const inside = await runUserRequest(async () => {
      scopeRequestToUser(cashier);
      const dispatched = runAsGateway(async () => {
        await tick();
        return currentTenantScope();
      });
      return { dispatched: await dispatched, request: currentTenantScope() };
    });
    expect(inside).toEqual({ dispatched: { kind: 'gateway' }, request: { kind: 'company', companyId: 'acme' } });
    expect(runInTenantScope({ kind: 'company', companyId: 'x' }, () => currentTenantScope())).toEqual({
      kind: 'company',
      companyId: 'x',
    });
  });
});
