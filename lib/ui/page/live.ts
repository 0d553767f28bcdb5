/// <reference lib="dom" />
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call } from './api.js';

/** How often the page asks again while it is visible. */
export const REFRESH_SECONDS = 3;

/** Counts refreshes: every view that reads the API asks again when it changes. */
export const Tick = createContext(0);

/**
 * A refresh every few seconds while the tab is visible; none while it is hidden (a tab left
 * open all night costs nothing), and one at once when it is shown again. `refresh()` asks now.
 */
export function useTicker(): { tick: number; paused: boolean; refresh: () => void } {
  const [tick, setTick] = useState(0);
  const [paused, setPaused] = useState(document.hidden);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      if (!document.hidden) timer = setTimeout(() => (setTick((n) => n + 1), schedule()), REFRESH_SECONDS * 1000);
    };
    const onVisibility = () => {
      setPaused(document.hidden);
      if (!document.hidden) setTick((n) => n + 1);
      schedule();
    };
    document.addEventListener('visibilitychange', onVisibility);
    schedule();
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);
  // The same function at every render, so that an effect may depend on it.
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { tick, paused, refresh };
}

export interface Loaded<T> {
  data?: T;
  /** The last attempt's failure; `data`, when there is some, is the answer before it. */
  error?: ApiError;
  reload: () => void;
}

/**
 * GET `path` now and at every refresh (unless `live` is false), one request at a time; the
 * last answer stays on screen while the next is on its way. `undefined` asks nothing. The
 * answer belongs to `key` (default: the path): a path whose time window slides keeps its key,
 * so the list stays on screen while the next window loads.
 */
export function useApi<T>(path: string | undefined, options: { live?: boolean; key?: string } = {}): Loaded<T> {
  const live = options.live ?? true;
  const key = options.key ?? path;
  const tick = useContext(Tick);
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ key?: string; data?: T; error?: ApiError }>({});
  const inFlight = useRef<AbortController | null>(null);

  // Another path: whatever was on its way is for the old one.
  useEffect(
    () => () => {
      inFlight.current?.abort();
      inFlight.current = null;
    },
    [path],
  );
  useEffect(() => {
    if (path === undefined || inFlight.current) return;
    const controller = new AbortController();
    inFlight.current = controller;
    call<T>('GET', path, undefined, controller.signal)
      .then(
        (data) => setState({ key, data }),
        (error: unknown) => {
          if (controller.signal.aborted) return;
          const failure = error instanceof ApiError ? error : new ApiError(0, 'PageError', (error as Error).message);
          setState((previous) => ({ key, ...(previous.key === key && { data: previous.data }), error: failure }));
        },
      )
      .finally(() => {
        if (inFlight.current === controller) inFlight.current = null;
      });
  }, [path, live ? tick : -1, nonce]);

  const current = state.key === key ? state : {};
  return { ...current, reload: () => setNonce((n) => n + 1) };
}
