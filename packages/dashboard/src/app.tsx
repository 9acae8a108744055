import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AdminView } from './admin-view.js';
import { AgentView } from './agent-view.js';
import { AgentsView } from './agents-view.js';
import { onSignedOut } from './api.js';
import { useFleet } from './fleet.js';
import { JobView } from './job-view.js';
import { JobsView } from './jobs-view.js';
import { LiveConnection } from './live.js';
import { LiveBanner } from './live-banner.js';
import { OverviewView } from './overview-view.js';
import { PaperConfirmView } from './paper-confirm-view.js';
import { PrinterView } from './printer-view.js';
import { useRoute } from './route.js';
import { currentUser, exchangeLoginCode, keepSessionFresh, signOut, takeLoginCode } from './session.js';
import type { Me, Role } from './types.js';

/** Who sees the agents' health and the administration (the API's ADMIN_VIEW_ROLES): not cashiers. */
const ADMIN_VIEW_ROLES: readonly Role[] = ['super_admin', 'company_owner', 'branch_manager'];

const ROLE_NAMES: Record<Role, string> = {
  super_admin: 'Platform admin',
  company_owner: 'Company owner',
  branch_manager: 'Branch manager',
  cashier: 'Cashier',
};

type Session = { kind: 'checking' } | { kind: 'signed-out'; message?: string } | { kind: 'signed-in'; me: Me };

/** Signs in (a login link's code, else the session cookie), then shows the dashboard. */
export function App() {
  const [session, setSession] = useState<Session>({ kind: 'checking' });

  useEffect(() => {
    onSignedOut(() => setSession({ kind: 'signed-out', message: 'Your session has ended.' }));
    const code = takeLoginCode();
    const start = code ? exchangeLoginCode(code) : currentUser();
    start.then(
      (me) => setSession(me ? { kind: 'signed-in', me } : { kind: 'signed-out' }),
      (err: Error) => setSession({ kind: 'signed-out', message: `This login link did not work: ${err.message}` }),
    );
  }, []);

  const me = session.kind === 'signed-in' ? session.me : undefined;
  useEffect(() => keepSessionFresh(me?.expiresAt, (next) => setSession({ kind: 'signed-in', me: next })), [me]);

  if (session.kind === 'checking') return <p aria-busy="true">Signing in…</p>;
  if (session.kind === 'signed-out') return <SignedOut message={session.message} />;
  return (
    <Dashboard
      me={session.me}
      onSignOut={async () => {
        await signOut();
        setSession({ kind: 'signed-out', message: 'You are signed out.' });
      }}
    />
  );
}

function SignedOut({ message }: { message: string | undefined }) {
  return (
    <main class="signed-out">
      <h1>PrinterMaster</h1>
      {message && <p role="alert">{message}</p>}
      <p>Sign in with a login link. On the gateway's host, an operator prints one with:</p>
      <pre>
        <code>npx printermaster admin login-link --role branch_manager --branch &lt;branch id&gt;</code>
      </pre>
      <p>The link works once, within 10 minutes.</p>
    </main>
  );
}

function Dashboard({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const user = me.user;
  // One socket for the whole signed-in page; the user object changes on each refresh, the user does not.
  const live = useMemo(() => new LiveConnection(onSignOut), [user.userId]);
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  const stableUser = useMemo(() => user, [user.userId, user.role, user.companyId, user.branchId]);
  const fleet = useFleet(stableUser, live);
  const route = useRoute();
  const canAdminister = ADMIN_VIEW_ROLES.includes(user.role);
  // A new view takes the focus to its content, as a page load would, so keyboard and screen
  // reader users start there; the first view and changes of filters keep it where it is.
  const firstView = useRef(true);
  useEffect(() => {
    if (firstView.current) firstView.current = false;
    else document.getElementById('main')?.focus();
  }, [route.view, route.id]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <strong class="brand">PrinterMaster</strong>
          <a href="#/" aria-current={route.view === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href="#/jobs" aria-current={route.view === 'jobs' ? 'page' : undefined}>
            Jobs
          </a>
          {canAdminister && (
            <>
              <a href="#/agents" aria-current={route.view === 'agents' ? 'page' : undefined}>
                Agents
              </a>
              <a href="#/admin" aria-current={route.view === 'admin' ? 'page' : undefined}>
                Administration
              </a>
            </>
          )}
        </nav>
        <div class="who">
          <span>
            {user.email ?? user.userId} · {ROLE_NAMES[user.role]}
          </span>
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <LiveBanner live={live} />
      <main id="main" tabIndex={-1}>
        {route.view === 'overview' && <OverviewView fleet={fleet} user={user} />}
        {route.view === 'jobs' && <JobsView params={route.params} fleet={fleet} live={live} />}
        {route.view === 'job' && route.id && <JobView id={route.id} fleet={fleet} live={live} />}
        {route.view === 'printer' && route.id && <PrinterView id={route.id} fleet={fleet} live={live} />}
        {route.view === 'paper' && route.id && <PaperConfirmView token={route.id} fleet={fleet} />}
        {route.view === 'agents' && canAdminister && <AgentsView fleet={fleet} live={live} />}
        {route.view === 'agent' && route.id && canAdminister && (
          <AgentView deviceId={route.id} branchId={route.params.get('branch') ?? undefined} live={live} />
        )}
        {route.view === 'admin' && canAdminister && (
          <AdminView section={route.section ?? 'branches'} id={route.id} user={user} printers={fleet.printers} />
        )}
        {(route.view === 'agents' || route.view === 'agent' || route.view === 'admin') && !canAdminister && (
          <p role="alert">Your role does not show this page.</p>
        )}
      </main>
    </>
  );
}
