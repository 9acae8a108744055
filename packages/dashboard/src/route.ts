import { useEffect, useState } from 'preact/hooks';

/** The sections of the administration view, in the order its tabs show them. */
export const ADMIN_SECTIONS = ['branches', 'stations', 'licences', 'api-keys', 'webhooks'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

/**
 * The view the address names: `#/`, `#/jobs?…`, `#/jobs/<id>`, `#/printers/<id>`, `#/agents`,
 * `#/agents/<deviceId>?branch=<branchId>`, `#/admin/<section>` and `#/admin/webhooks/<id>`.
 */
export interface Route {
  view: 'overview' | 'jobs' | 'job' | 'printer' | 'agents' | 'agent' | 'admin' | 'paper';
  id?: string;
  /** The administration view's tab (`branches` when the address names none or an unknown one). */
  section?: AdminSection;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'jobs' && parts[1]) return { view: 'job', id: parts[1], params };
  if (parts[0] === 'jobs') return { view: 'jobs', params };
  if (parts[0] === 'printers' && parts[1]) return { view: 'printer', id: parts[1], params };
  if (parts[0] === 'agents' && parts[1]) return { view: 'agent', id: parts[1], params };
  // A paper check slip's QR code: `#/paper/<one-time code>`.
  if (parts[0] === 'paper' && parts[1]) return { view: 'paper', id: parts[1], params };
  if (parts[0] === 'agents') return { view: 'agents', params };
  if (parts[0] === 'admin') {
    const section = ADMIN_SECTIONS.find((s) => s === parts[1]) ?? 'branches';
    return { view: 'admin', section, ...(parts[2] ? { id: parts[2] } : {}), params };
  }
  return { view: 'overview', params };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id)}`;
}

export function printerHref(id: string): string {
  return `#/printers/${encodeURIComponent(id)}`;
}

/** An agent's page; `branchId` tells apart two branches' agents with the same device id. */
export function agentHref(deviceId: string, branchId: string): string {
  return `#/agents/${encodeURIComponent(deviceId)}?branch=${encodeURIComponent(branchId)}`;
}

export function adminHref(section: AdminSection, id?: string): string {
  return `#/admin/${section}${id ? `/${encodeURIComponent(id)}` : ''}`;
}
