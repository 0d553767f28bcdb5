/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { type Execution, type Page, PHASES, paths, type Target, type Workflow } from '../api.js';
import { ExecutionLink, ExecutionTable, Problem, Stale, TargetLink } from '../components.js';
import { html } from '../html.js';
import { useApi } from '../live.js';
import { href, navigate } from '../router.js';
import { now } from '../time.js';

const RECENT_HOURS = 24;
const RECENT_LIMIT = 50;

/** What someone on call looks at first: what awaits a decision, what runs now, what is blocked, what happened lately. */
export function Overview({ query }: { query: URLSearchParams }) {
  return html`<h1 tabindex="-1">Overview</h1>
    <${GoTo} />
    <${AwaitingApproval} />
    <${RunningNow} />
    <${BlockedTargets} />
    <${RecentExecutions} phase=${query.get('phase') ?? ''} workflow=${query.get('workflow') ?? ''} />`;
}

/** Straight to a target (it has a `/` or is an ARN) or an execution. */
function GoTo() {
  const [value, setValue] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    const text = value.trim();
    if (!text) return;
    navigate(text.includes('/') || text.startsWith('arn:') ? href.target(text) : href.execution(text));
  };
  return html`<form class="goto" role="search" aria-label="Open a target or an execution" onSubmit=${submit}>
    <label for="goto">Target or execution ID</label>
    <input id="goto" type="text" value=${value} onInput=${(event: Event) => setValue((event.target as HTMLInputElement).value)} placeholder="namespace/kind/name" autocomplete="off" spellcheck=${false} />
    <button type="submit">Open</button>
  </form>`;
}

function AwaitingApproval() {
  const awaiting = useApi<Page<Execution>>(paths.query('/executions', { phase: 'AwaitingApproval', limit: 100 }));
  const items = awaiting.data?.items ?? [];
  return html`<section aria-labelledby="awaiting-heading">
    <h2 id="awaiting-heading">Awaiting approval ${awaiting.data ? html`<span class=${items.length > 0 ? 'count alert' : 'count'}>${items.length}</span>` : null}</h2>
    ${!awaiting.data && awaiting.error ? html`<${Problem} what="the executions awaiting approval" error=${awaiting.error} />` : null}
    ${!awaiting.data && !awaiting.error ? html`<p class="loading">Loading…</p>` : null}
    ${awaiting.data ? html`<${Stale} error=${awaiting.error} /><${ExecutionTable} executions=${items} caption="Executions awaiting approval, newest first: open one to approve or reject it" empty="Nothing awaits approval." />` : null}
  </section>`;
}

function RunningNow() {
  const running = useApi<Page<Execution>>(paths.query('/executions', { phase: 'Running', limit: 100 }));
  const pending = useApi<Page<Execution>>(paths.query('/executions', { phase: 'Pending', limit: 100 }));
  const error = running.error ?? pending.error;
  const items = [...(running.data?.items ?? []), ...(pending.data?.items ?? [])].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
  const loaded = running.data && pending.data;
  return html`<section aria-labelledby="running-heading">
    <h2 id="running-heading">Running now ${loaded ? html`<span class="count">${items.length}</span>` : null}</h2>
    ${!loaded && error ? html`<${Problem} what="the running executions" error=${error} />` : null}
    ${loaded ? html`<${Stale} error=${error} /><${ExecutionTable} executions=${items} caption="Executions running or pending now" empty="Nothing is running." />` : null}
    ${!loaded && !error ? html`<p class="loading">Loading…</p>` : null}
  </section>`;
}

function BlockedTargets() {
  const blocked = useApi<Page<Target>>(paths.query('/targets', { state: 'Blocked', limit: 100 }));
  const items = blocked.data?.items ?? [];
  return html`<section aria-labelledby="blocked-heading">
    <h2 id="blocked-heading">Blocked targets ${blocked.data ? html`<span class=${items.length > 0 ? 'count alert' : 'count'}>${items.length}</span>` : null}</h2>
    ${!blocked.data && blocked.error ? html`<${Problem} what="the blocked targets" error=${blocked.error} />` : null}
    ${!blocked.data && !blocked.error ? html`<p class="loading">Loading…</p>` : null}
    ${
      blocked.data
        ? html`<${Stale} error=${blocked.error} />
          ${
            items.length === 0
              ? html`<p class="empty">No target is blocked.</p>`
              : html`<table>
                <caption class="visually-hidden">Targets blocked until a person clears them</caption>
                <thead>
                  <tr><th scope="col">Target</th><th scope="col">Why</th><th scope="col">Last execution</th><th scope="col">Failures in a row</th></tr>
                </thead>
                <tbody>
                  ${items.map(
                    (target) => html`<tr key=${target.targetResource}>
                      <td><${TargetLink} target=${target.targetResource} /></td>
                      <td>${target.blockReason ?? ''}</td>
                      <td>${target.lastExecutionId ? html`<${ExecutionLink} id=${target.lastExecutionId} />` : ''}</td>
                      <td>${target.consecutiveFailures ?? ''}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
          }`
        : null
    }
  </section>`;
}

function RecentExecutions({ phase, workflow }: { phase: string; workflow: string }) {
  // The window slides by the minute; its answer keeps its place on screen meanwhile (one key per filter).
  const minute = Math.floor(now() / 60_000) * 60_000;
  const since = new Date(minute - RECENT_HOURS * 3_600_000).toISOString();
  const recent = useApi<Page<Execution>>(
    paths.query('/executions', { since, phase, workflowId: workflow, limit: RECENT_LIMIT }),
    { key: `recent:${phase}:${workflow}` },
  );
  const workflows = useApi<Page<Workflow>>('/workflows', { live: false });
  const ids = [...new Set((workflows.data?.items ?? []).map((w) => w.id))].sort();
  if (workflow && !ids.includes(workflow)) ids.unshift(workflow);
  const filter = (changed: Record<string, string>) => navigate(href.overview({ phase, workflow, ...changed }));
  const items = recent.data?.items ?? [];
  return html`<section aria-labelledby="recent-heading">
    <h2 id="recent-heading">Recent executions <span class="muted small">last ${RECENT_HOURS} hours</span></h2>
    <form class="filters" aria-label="Filter recent executions" onSubmit=${(event: Event) => event.preventDefault()}>
      <label for="filter-phase">Phase</label>
      <select id="filter-phase" value=${phase} onChange=${(event: Event) => filter({ phase: (event.target as HTMLSelectElement).value })}>
        <option value="">All phases</option>
        ${PHASES.map((p) => html`<option value=${p}>${p}</option>`)}
      </select>
      <label for="filter-workflow">Workflow</label>
      <select id="filter-workflow" value=${workflow} onChange=${(event: Event) => filter({ workflow: (event.target as HTMLSelectElement).value })}>
        <option value="">All workflows</option>
        ${ids.map((id) => html`<option value=${id}>${id}</option>`)}
      </select>
    </form>
    ${!recent.data && recent.error ? html`<${Problem} what="the recent executions" error=${recent.error} />` : null}
    ${!recent.data && !recent.error ? html`<p class="loading">Loading…</p>` : null}
    ${
      recent.data
        ? html`<${Stale} error=${recent.error} />
          <${ExecutionTable} executions=${items} caption="Executions created in the last 24 hours, newest first" empty="No execution in this window matches." />
          ${recent.data.nextToken ? html`<p class="muted">Showing the newest ${items.length}; narrow the filters to see older ones.</p>` : null}`
        : null
    }
  </section>`;
}
