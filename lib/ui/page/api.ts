/// <reference lib="dom" />
// The page's one way to the API (API.md): its own origin only, `Authorization: Bearer <token>`
// on every call, JSON in and out. The objects are API.md's, typed as the page reads them.

import type { Phase } from '../../contract/api-objects.js';

// The API's objects are the contract's (types only: the page bundles none of the engine's code).
export type {
  AuditEvent,
  Clearance,
  Execution,
  Page,
  Phase,
  Step,
  Target,
  TargetState,
  Workflow,
  WorkflowParameter as Parameter,
} from '../../contract/api-objects.js';

export const PHASES: readonly Phase[] = ['AwaitingApproval', 'Pending', 'Running', 'Completed', 'Failed', 'Skipped'];

/**
 * A non-2xx answer (API.md's error body), or no answer at all (`status` 0). Outside the LockstepError
 * family on purpose: the page is a browser bundle that imports only the contract's types, never the engine.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly string[] = [],
    /** The body as sent: a 409 to a run request carries the Skipped execution. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'lockstep.token';

/**
 * The token from the URL the start printed (`#token=…`, or a place with it: `#/targets/x?token=…`),
 * kept for this tab in session storage and taken off the address bar, so it does not end up
 * in a screenshot, a shared link or the history. Without one (`lockstep ui` needs none) calls
 * go without it. Called at the first load and at every change of the fragment (the printed
 * address opened in a tab that already shows the page): true when it took one.
 */
export function takeToken(): boolean {
  const hash = location.hash.replace(/^#/, '');
  const [path, search = ''] = hash.startsWith('token=') ? ['/', hash] : hash.split('?', 2);
  const query = new URLSearchParams(search);
  const token = query.get('token');
  if (token === null) return false;
  setToken(token);
  query.delete('token');
  const rest = query.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}#${path || '/'}${rest ? `?${rest}` : ''}`);
  return true;
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** `path` is API-relative (`/executions?…`): the page never calls another origin. */
export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      credentials: 'omit',
      ...(body !== undefined && { body: JSON.stringify(body) }),
      ...(signal && { signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'Unreachable', 'the API did not answer; is local mode still running?');
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(
      response.status,
      'BadResponse',
      `the API answered ${response.status} with a body that is not JSON`,
    );
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: string; message?: string; details?: string[] } } | undefined)?.error;
  throw new ApiError(
    response.status,
    error?.code ?? `HTTP${response.status}`,
    error?.message ?? `the API answered ${response.status}`,
    error?.details ?? [],
    parsed,
  );
}

/** Path segments and query values are always encoded here, never pasted into a path. */
export const paths = {
  execution: (id: string) => `/executions/${encodeURIComponent(id)}`,
  target: (target: string) => `/targets/${encodeURIComponent(target)}`,
  query: (path: string, query: Record<string, string | number | undefined>) => {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined && value !== '') search.set(name, String(value));
    const text = search.toString();
    return text ? `${path}?${text}` : path;
  },
};
