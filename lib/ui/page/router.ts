/// <reference lib="dom" />
import { useEffect, useState } from 'preact/hooks';

/** The page's places, in the URL fragment: `#/`, `#/targets/<target>`, `#/executions/<id>`, `#/workflows`. */
export type Route =
  | { page: 'overview'; query: URLSearchParams }
  | { page: 'target'; target: string }
  | { page: 'execution'; id: string }
  | { page: 'workflows'; query: URLSearchParams }
  | { page: 'unknown'; hash: string };

/** The place a fragment names; a token in it (`#token=…`, `?token=…`) is no part of the place (takeToken takes it). */
export function parseRoute(hash: string): Route {
  const fragment = hash.replace(/^#/, '');
  const [path = '', search = ''] = fragment.startsWith('token=') ? ['/', fragment] : fragment.split('?', 2);
  const query = new URLSearchParams(search);
  query.delete('token');
  const segments = path.split('/').filter(Boolean);
  try {
    if (segments.length === 0) return { page: 'overview', query };
    if (segments[0] === 'targets' && segments.length === 2)
      return { page: 'target', target: decodeURIComponent(segments[1]!) };
    if (segments[0] === 'executions' && segments.length === 2)
      return { page: 'execution', id: decodeURIComponent(segments[1]!) };
    if (segments[0] === 'workflows' && segments.length === 1) return { page: 'workflows', query };
  } catch {
    // a malformed escape: unknown below
  }
  return { page: 'unknown', hash };
}

/** Links: every part that comes from data is encoded (a target holds `/`, `?`, `#`). */
export const href = {
  overview: (query: Record<string, string> = {}) => {
    const search = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== '')).toString();
    return `#/${search ? `?${search}` : ''}`;
  },
  target: (target: string) => `#/targets/${encodeURIComponent(target)}`,
  execution: (id: string) => `#/executions/${encodeURIComponent(id)}`,
  workflows: (target?: string) => `#/workflows${target ? `?target=${encodeURIComponent(target)}` : ''}`,
};

export function navigate(to: string): void {
  location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
