/// <reference lib="dom" />
import type { ComponentChildren } from 'preact';
import type { ApiError, Execution } from './api.js';
import { html } from './html.js';
import { href } from './router.js';
import { formatDuration, Time } from './time.js';

export function PhaseBadge({ phase }: { phase: string }) {
  return html`<span class=${`badge phase-${cssName(phase)}`}>${phase}</span>`;
}

export function StateBadge({ state }: { state: string }) {
  return html`<span class=${`badge state-${cssName(state)}`}>${state}</span>`;
}

/** A class name from a value that came from the API: letters only. */
function cssName(value: string): string {
  return value.replace(/[^A-Za-z]/g, '');
}

/** What went wrong, where the data would be: the API's code and message, and its details. */
export function Problem({ what, error }: { what: string; error: ApiError }) {
  const where = error.status === 0 ? error.code : `${error.status} ${error.code}`;
  return html`<div class="problem" role="alert">
    <p><strong>Could not load ${what}</strong> (${where}): ${error.message}</p>
    ${error.details.length > 0 ? html`<ul>${error.details.map((detail) => html`<li>${detail}</li>`)}</ul>` : null}
    ${error.status === 401 ? html`<p>Open the page with the URL local mode printed at start (<code>…/ui/#token=…</code>), or enter the token at the top of the page.</p>` : null}
  </div>`;
}

/** A refresh failed but an earlier answer is on screen. */
export function Stale({ error }: { error?: ApiError }) {
  if (!error) return null;
  return html`<p class="stale" role="status">Showing the last answer; refreshing failed: ${error.message}</p>`;
}

export function TargetLink({ target }: { target: string }) {
  return html`<a class="target" href=${href.target(target)}>${target}</a>`;
}

export function ExecutionLink({ id, children }: { id: string; children?: ComponentChildren }) {
  return html`<a class="mono" href=${href.execution(id)}>${children ?? id}</a>`;
}

/** Why an execution ended as it did, in a few words. */
export function outcomeOf(execution: Execution): string {
  const details = execution.failureDetails ?? execution.skipDetails;
  if (!details) return '';
  const step = execution.failureDetails?.failedStep ? ` at ${execution.failureDetails.failedStep}` : '';
  return `${details.reason ?? ''}${step}`;
}

/** Executions as a table, newest first as the API lists them. */
export function ExecutionTable({
  executions,
  caption,
  showTarget = true,
  empty,
}: {
  executions: Execution[];
  caption: string;
  showTarget?: boolean;
  empty: string;
}) {
  if (executions.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table>
    <caption class="visually-hidden">${caption}</caption>
    <thead>
      <tr>
        <th scope="col">Execution</th>
        ${showTarget ? html`<th scope="col">Target</th>` : null}
        <th scope="col">Workflow</th>
        <th scope="col">Phase</th>
        <th scope="col">Outcome</th>
        <th scope="col">Created</th>
        <th scope="col">Duration</th>
      </tr>
    </thead>
    <tbody>
      ${executions.map(
        (execution) => html`<tr key=${execution.id}>
          <td><${ExecutionLink} id=${execution.id} /></td>
          ${showTarget ? html`<td><${TargetLink} target=${execution.targetResource} /></td>` : null}
          <td>${execution.workflowId} <span class="muted">v${execution.workflowVersion}</span></td>
          <td><${PhaseBadge} phase=${execution.phase} /></td>
          <td>${outcomeOf(execution)}</td>
          <td><${Time} at=${execution.createdAt} /></td>
          <td>${execution.durationSeconds !== undefined ? formatDuration(execution.durationSeconds) : ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Any value from the API as text: strings as they are, the rest as indented JSON. Never markup. */
export function Value({ value }: { value: unknown }) {
  if (value === undefined || value === null || value === '') return html`<span class="muted">—</span>`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return html`<span>${String(value)}</span>`;
  return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}
