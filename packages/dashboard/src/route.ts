import { useEffect, useState } from 'preact/hooks';

/** The view the address names: `#/`, `#/jobs?…`, `#/jobs/<id>`, `#/printers/<id>`. */
export interface Route {
  view: 'overview' | 'jobs' | 'job' | 'printer';
  id?: string;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'jobs' && parts[1]) return { view: 'job', id: parts[1], params };
  if (parts[0] === 'jobs') return { view: 'jobs', params };
  if (parts[0] === 'printers' && parts[1]) return { view: 'printer', id: parts[1], params };
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
