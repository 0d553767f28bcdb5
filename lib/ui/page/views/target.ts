/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { ApiError, call, type Execution, type Page, paths, type Target } from '../api.js';
import { ExecutionLink, ExecutionTable, Problem, Stale, StateBadge } from '../components.js';
import { html } from '../html.js';
import { gated, NeedsRole, usePermission } from '../identity.js';
import { useApi } from '../live.js';
import { href } from '../router.js';
import { Countdown, exact, now, Time } from '../time.js';

/** One target: its state and the time left in a window, its executions, its clearances, and the clear-block form. */
export function TargetPage({ target }: { target: string }) {
  const state = useApi<Target>(paths.target(target));
  const executions = useApi<Page<Execution>>(paths.query('/executions', { targetResource: target, limit: 20 }));
  const [cleared, setCleared] = useState<string | undefined>();
  const reload = () => {
    state.reload();
    executions.reload();
  };
  return html`<p class="kicker">Target</p>
    <h1 tabindex="-1" class="target-name">${target}</h1>
    ${cleared ? html`<p class="done" role="status">${cleared}</p>` : null}
    ${!state.data && state.error ? html`<${Problem} what="this target" error=${state.error} />` : null}
    ${!state.data && !state.error ? html`<p class="loading">Loading…</p>` : null}
    ${state.data ? html`<${Stale} error=${state.error} /><${TargetState} target=${state.data} onWindowEnd=${reload} />` : null}
    ${state.data?.state === 'Blocked' ? html`<${ClearBlock} target=${target} onCleared=${(message: string) => (setCleared(message), reload())} />` : null}
    <section aria-labelledby="target-executions">
      <h2 id="target-executions">Executions</h2>
      ${!executions.data && executions.error ? html`<${Problem} what="the executions of this target" error=${executions.error} />` : null}
      ${
        executions.data
          ? html`<${Stale} error=${executions.error} /><${ExecutionTable} executions=${executions.data.items} showTarget=${false} caption="Executions on this target, newest first" empty="No execution on this target yet." />`
          : null
      }
      <p><a href=${href.workflows(target)}>Run a workflow on this target</a></p>
    </section>
    ${state.data ? html`<${Clearances} target=${state.data} />` : null}`;
}

function TargetState({ target, onWindowEnd }: { target: Target; onWindowEnd: () => void }) {
  return html`<section aria-labelledby="target-state">
    <h2 id="target-state" class="visually-hidden">State</h2>
    <dl class="fields">
      <dt>State</dt>
      <dd><${StateBadge} state=${target.state} /></dd>
      ${target.currentExecutionId ? html`<dt>Current execution</dt><dd><${ExecutionLink} id=${target.currentExecutionId} /></dd>` : null}
      ${
        target.lastExecutionId
          ? html`<dt>Last execution</dt>
            <dd><${ExecutionLink} id=${target.lastExecutionId} />${target.lastOutcome ? html` <span class="muted">${target.lastOutcome}</span>` : null}</dd>`
          : null
      }
      ${target.blockReason ? html`<dt>Block reason</dt><dd>${target.blockReason}</dd>` : null}
      ${target.cooldownUntil ? html`<dt>Cooldown until</dt><dd><${Window} until=${target.cooldownUntil} onEnd=${onWindowEnd} /></dd>` : null}
      ${target.nextAllowedAt ? html`<dt>Backoff until</dt><dd><${Window} until=${target.nextAllowedAt} onEnd=${onWindowEnd} /></dd>` : null}
      <dt>Failures in a row</dt>
      <dd>${target.consecutiveFailures ?? 0}</dd>
    </dl>
  </section>`;
}

/** An open window as the time left, counting down; a closed one as when it ended. */
function Window({ until, onEnd }: { until: string; onEnd: () => void }) {
  if (new Date(until).getTime() <= now()) return html`<${Time} at=${until} full=${true} />`;
  return html`<${Countdown} until=${until} onEnd=${onEnd} /> <span class="exact">until ${exact(until)}</span>`;
}

/**
 * The form API.md names: a field `Reason` and a button `Clear block`. The clearer is the signed-in
 * identity, taken from the credentials by the API; the page has no field for it.
 */
function ClearBlock({ target, onCleared }: { target: string; onCleared: (message: string) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const permission = usePermission('clear');
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (!form.reportValidity()) return;
    const reason = String(new FormData(form).get('reason') ?? '');
    setBusy(true);
    setError(undefined);
    try {
      const after = await call<Target>('POST', `${paths.target(target)}/clearance`, { reason });
      const by = after.blockClearances?.at(-1)?.clearedBy;
      onCleared(`Block cleared${by ? ` by ${by}` : ''}; the target is now ${after.state}.`);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure : new ApiError(0, 'PageError', (failure as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="clear-heading" class="clear">
    <h2 id="clear-heading">Clear the block</h2>
    <p>The last run on this target failed, so nothing runs on it until a person clears it. Say why it is safe again; the reason and who you are signed in as are kept in the audit trail.</p>
    <form aria-label="Clear block" onSubmit=${submit}>
      <div class="field">
        <label for="clear-reason">Reason</label>
        <textarea id="clear-reason" name="reason" required rows="2"></textarea>
      </div>
      <button type="submit" ...${gated(permission, 'clear-needs', busy)}>Clear block</button>
      <${NeedsRole} id="clear-needs" permission=${permission} />
      ${
        error
          ? html`<div class="problem" role="alert"><p><strong>Not cleared</strong> (${error.status} ${error.code}): ${error.message}</p>
            ${error.details.length > 0 ? html`<ul>${error.details.map((detail) => html`<li>${detail}</li>`)}</ul>` : null}</div>`
          : null
      }
    </form>
  </section>`;
}

function Clearances({ target }: { target: Target }) {
  const clearances = target.blockClearances ?? [];
  return html`<section aria-labelledby="clearances-heading">
    <h2 id="clearances-heading">Clearances</h2>
    ${
      clearances.length === 0
        ? html`<p class="empty">This target's block was never cleared.</p>`
        : html`<table>
          <caption class="visually-hidden">Block clearances of this target</caption>
          <thead><tr><th scope="col">Cleared</th><th scope="col">By</th><th scope="col">On behalf of</th><th scope="col">Reason</th></tr></thead>
          <tbody>
            ${clearances.map((clearance) => html`<tr><td><${Time} at=${clearance.clearedAt} /></td><td>${clearance.clearedBy}</td><td>${clearance.onBehalfOf ?? ''}</td><td>${clearance.reason}</td></tr>`)}
          </tbody>
        </table>`
    }
  </section>`;
}
