/// <reference lib="dom" />
// The status page (API.md "The status page"): served by local mode at /ui/ and by
// `lockstep ui`; talks only to the API of its own origin. Built by ../build-status-page.ts.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as re2js from 're2js';
import { usePatternEngine } from '../../domain/user-pattern.js';
import { setToken, takeToken } from './api.js';
import { html } from './html.js';
import { type Identity, SignedIn } from './identity.js';
import { REFRESH_SECONDS, Tick, useApi, useTicker } from './live.js';
import { href, type Route, useRoute } from './router.js';
import { ExecutionPage } from './views/execution.js';
import { Overview } from './views/overview.js';
import { TargetPage } from './views/target.js';
import { WorkflowsPage } from './views/workflows.js';

// The Run form checks values with the domain's own pattern rules, synchronously as the user types: the engine is bundled into the page.
usePatternEngine(() => re2js);

function App() {
  const route = useRoute();
  const { tick, paused, refresh } = useTicker();
  // Asked once, and again when a token is given: who is signed in does not change in between.
  const identity = useApi<Identity>('/identity', { live: false });
  // `reload` only bumps a state counter, so the listener below may keep the first render's.
  const signIn = () => (identity.reload(), refresh());
  const place = routeKey(route);
  // The printed address opened again in this tab changes only the fragment: no load, so take its token here, and ask again with it.
  useEffect(() => {
    const onHashChange = () => {
      if (takeToken()) signIn();
    };
    addEventListener('hashchange', onHashChange);
    return () => removeEventListener('hashchange', onHashChange);
  }, [refresh]);
  useEffect(() => {
    document.title = `${titleOf(route)} · Lockstep`;
    // A new place: move focus to its heading, as a page load would, for keyboard and screen reader users.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true }));
  }, [place]);
  return html`<a class="skip" href="#main" onClick=${(event: Event) => (event.preventDefault(), document.querySelector<HTMLElement>('main h1')?.focus())}>Skip to content</a>
    <header class="bar">
      <a class="brand" href=${href.overview()}>Lockstep</a>
      <nav aria-label="Pages">
        <a href=${href.overview()} aria-current=${route.page === 'overview' ? 'page' : undefined}>Overview</a>
        <a href=${href.workflows()} aria-current=${route.page === 'workflows' ? 'page' : undefined}>Workflows</a>
      </nav>
      <span class="live" role="status">${paused ? 'Paused while the tab is hidden' : `Refreshes every ${REFRESH_SECONDS} s`}</span>
      <button type="button" onClick=${refresh}>Refresh now</button>
      <${Who} identity=${identity.data} failed=${identity.error !== undefined} />
      <${TokenForm} onSet=${signIn} />
    </header>
    <main id="main">
      <${SignedIn.Provider} value=${identity.data}><${Tick.Provider} value=${tick}>${page(route)}<//><//>
    </main>`;
}

function page(route: Route) {
  switch (route.page) {
    case 'overview':
      return html`<${Overview} query=${route.query} />`;
    case 'target':
      return html`<${TargetPage} target=${route.target} key=${route.target} />`;
    case 'execution':
      return html`<${ExecutionPage} id=${route.id} key=${route.id} />`;
    case 'workflows':
      return html`<${WorkflowsPage} query=${route.query} />`;
    default:
      return html`<h1 tabindex="-1">Not found</h1>
        <p>Nothing is at <code>${route.hash}</code>. <a href=${href.overview()}>Go to the overview</a>.</p>`;
  }
}

function routeKey(route: Route): string {
  if (route.page === 'target') return `target:${route.target}`;
  if (route.page === 'execution') return `execution:${route.id}`;
  return route.page;
}

function titleOf(route: Route): string {
  if (route.page === 'target') return route.target;
  if (route.page === 'execution') return `Execution ${route.id}`;
  if (route.page === 'workflows') return 'Workflows';
  if (route.page === 'overview') return 'Overview';
  return 'Not found';
}

/** Who is signed in, and their role; on AWS there is no role: IAM decides what the principal may call. */
function Who({ identity, failed }: { identity?: Identity; failed: boolean }) {
  if (!identity) return failed ? html`<span class="who">Not signed in</span>` : null;
  return html`<span class="who" role="group" aria-label="Signed in">
    Signed in as <strong class="mono">${identity.identity}</strong>
    ${identity.role ? html` <span class="role">${identity.role}</span>` : html` <span class="role" title="On AWS, IAM decides what each principal may call">IAM</span>`}
    ${identity.intermediary ? html` <span class="role">intermediary</span>` : null}
  </span>`;
}

/** For a page opened without the URL local mode printed: paste the token it printed. */
function TokenForm({ onSet }: { onSet: () => void }) {
  const [open, setOpen] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
    if (!value) return;
    setToken(value);
    setOpen(false);
    onSet();
  };
  if (!open) return html`<button type="button" class="quiet" onClick=${() => setOpen(true)}>Set token</button>`;
  return html`<form class="token" aria-label="API token" onSubmit=${submit}>
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="off" />
    <button type="submit">Use token</button>
    <button type="button" class="quiet" onClick=${() => setOpen(false)}>Close</button>
  </form>`;
}

takeToken();
const root = document.getElementById('app')!;
root.replaceChildren(); // the "Loading…" line of index.html
render(html`<${App} />`, root);
