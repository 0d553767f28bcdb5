/// <reference lib="dom" />
import { useState } from 'preact/hooks';
import { ApiError, type AuditEvent, call, type Execution, paths, type Step } from '../api.js';
import { ExecutionLink, PhaseBadge, Problem, Stale, TargetLink, Value } from '../components.js';
import { html } from '../html.js';
import { gated, NeedsRole, usePermission } from '../identity.js';
import { useApi } from '../live.js';
import { href } from '../router.js';
import { formatDuration, Time } from '../time.js';

const ACTIVE = new Set(['AwaitingApproval', 'Pending', 'Running']);
const TIMES = new Set(['createdAt', 'startTime', 'completionTime', 'failedAt', 'nextAllowedAt', 'requiredBy', 'at']);

type Outcome = { ok?: string; error?: ApiError; what?: string };

/** One execution: every field, its audit events in order, its steps, its approval, and cancel while it is active. */
export function ExecutionPage({ id }: { id: string }) {
  const execution = useApi<Execution>(paths.execution(id));
  const events = useApi<{ items: AuditEvent[] }>(`${paths.execution(id)}/events`);
  const steps = useApi<{ items: Step[] }>(`${paths.execution(id)}/steps`);
  const [outcome, setOutcome] = useState<Outcome>({});
  const done = (result: Outcome) => (setOutcome(result), reload());
  const data = execution.data;
  const reload = () => {
    execution.reload();
    events.reload();
    steps.reload();
  };
  return html`<p class="kicker">Execution</p>
    <h1 tabindex="-1" class="mono">${id}</h1>
    ${!data && execution.error ? html`<${Problem} what="this execution" error=${execution.error} />` : null}
    ${!data && !execution.error ? html`<p class="loading">Loading…</p>` : null}
    ${
      data
        ? html`<${Stale} error=${execution.error} />
          <p class="summary"><${PhaseBadge} phase=${data.phase} /> ${data.workflowId} v${data.workflowVersion} on <${TargetLink} target=${data.targetResource} /></p>
          ${ACTIVE.has(data.phase) ? html`<${Cancel} execution=${data} onDone=${done} />` : null}
          ${outcome.ok ? html`<p class="done" role="status">${outcome.ok}</p>` : null}
          ${outcome.error ? html`<div class="problem" role="alert"><p><strong>${outcome.what ?? 'Not done'}</strong> (${outcome.error.status} ${outcome.error.code}): ${outcome.error.message}</p></div>` : null}
          ${data.approval ? html`<${Approval} execution=${data} onDone=${done} />` : null}
          <${Fields} execution=${data} />`
        : null
    }
    <${Steps} loaded=${steps} failedStep=${data?.failureDetails?.failedStep} />
    <${Events} loaded=${events} />`;
}

function Cancel({ execution, onDone }: { execution: Execution; onDone: (result: Outcome) => void }) {
  const [busy, setBusy] = useState(false);
  const permission = usePermission('cancel');
  const cancel = async () => {
    if (!confirm(`Cancel execution ${execution.id} (${execution.workflowId} on ${execution.targetResource})?`)) return;
    setBusy(true);
    try {
      const after = await call<Execution>('POST', `${paths.execution(execution.id)}/cancel`);
      onDone({
        ok: `Cancelled: the execution is now ${after.phase}${after.failureDetails?.reason ? ` (${after.failureDetails.reason})` : ''}.`,
      });
    } catch (error) {
      onDone({
        what: 'Not cancelled',
        error: error instanceof ApiError ? error : new ApiError(0, 'PageError', (error as Error).message),
      });
    } finally {
      setBusy(false);
    }
  };
  return html`<p>
    <button type="button" class="danger" ...${gated(permission, 'cancel-needs', busy)} onClick=${cancel}>Cancel execution</button>
    <${NeedsRole} id="cancel-needs" permission=${permission} />
  </p>`;
}

/**
 * The approval: what it needs and by when, the decisions so far, and while it awaits approval a
 * `Comment` and the buttons `Approve` and `Reject`. A rejection needs a comment: the page says so
 * before sending anything. The API's refusal (403 the requester's own, 409 decided twice) is shown as it came.
 */
function Approval({ execution, onDone }: { execution: Execution; onDone: (result: Outcome) => void }) {
  const approval = execution.approval!;
  const [busy, setBusy] = useState(false);
  const [missingComment, setMissingComment] = useState(false);
  const permission = usePermission('decide');
  const approvals = approval.decisions.filter((d) => d.decision === 'approve').length;
  const awaiting = execution.phase === 'AwaitingApproval';
  const decide = async (event: Event, decision: 'approve' | 'reject') => {
    const form = (event.currentTarget as HTMLButtonElement).form!;
    const comment = String(new FormData(form).get('comment') ?? '').trim();
    if (decision === 'reject' && !comment) {
      setMissingComment(true);
      (form.elements.namedItem('comment') as HTMLTextAreaElement).focus();
      return;
    }
    setMissingComment(false);
    setBusy(true);
    try {
      const after = await call<Execution>('POST', `${paths.execution(execution.id)}/approval`, {
        decision,
        ...(comment && { comment }),
      });
      form.reset();
      onDone({ ok: decided(decision, after) });
    } catch (error) {
      onDone({
        what: decision === 'approve' ? 'Not approved' : 'Not rejected',
        error: error instanceof ApiError ? error : new ApiError(0, 'PageError', (error as Error).message),
      });
    } finally {
      setBusy(false);
    }
  };
  return html`<section aria-labelledby="approval-heading" class="approval">
    <h2 id="approval-heading">Approval</h2>
    <p>
      ${approvals} of ${approval.approvalsNeeded} ${approval.approvalsNeeded === 1 ? 'approval' : 'approvals'}
      ${awaiting ? html`; the request expires <${Time} at=${approval.requiredBy} full=${true} /> unless decided. The requester may not approve their own request.` : null}
    </p>
    ${
      approval.decisions.length === 0
        ? html`<p class="empty">No decision yet.</p>`
        : html`<table>
          <caption class="visually-hidden">Approval decisions, in the order they were made</caption>
          <thead><tr><th scope="col">Decision</th><th scope="col">By</th><th scope="col">On behalf of</th><th scope="col">Comment</th><th scope="col">At</th></tr></thead>
          <tbody>
            ${approval.decisions.map(
              (d) =>
                html`<tr key=${`${d.by}:${d.at}`}><td>${d.decision}</td><td>${d.by}</td><td>${d.onBehalfOf ?? ''}</td><td>${d.comment ?? ''}</td><td><${Time} at=${d.at} /></td></tr>`,
            )}
          </tbody>
        </table>`
    }
    ${
      awaiting
        ? html`<form aria-label="Decide" onSubmit=${(event: Event) => event.preventDefault()}>
          <div class="field">
            <label for="approval-comment">Comment</label>
            <textarea id="approval-comment" name="comment" rows="2" maxlength="1024" aria-describedby="approval-comment-hint" aria-invalid=${missingComment ? 'true' : undefined}></textarea>
            <p class="hint" id="approval-comment-hint">Optional to approve; a rejection needs one: say why.</p>
          </div>
          <div class="decide">
            <button type="button" ...${gated(permission, 'approval-needs', busy)} onClick=${(event: Event) => decide(event, 'approve')}>Approve</button>
            <button type="button" class="danger" ...${gated(permission, 'approval-needs', busy)} onClick=${(event: Event) => decide(event, 'reject')}>Reject</button>
            <${NeedsRole} id="approval-needs" permission=${permission} />
          </div>
          ${missingComment ? html`<p class="problem" role="alert">Not sent: a rejection needs a comment saying why.</p>` : null}
        </form>`
        : null
    }
  </section>`;
}

/** What a decision did, in a sentence. */
function decided(decision: 'approve' | 'reject', after: Execution): string {
  if (decision === 'reject')
    return `Rejected: the execution is now ${after.phase}${after.failureDetails?.reason ? ` (${after.failureDetails.reason})` : ''}.`;
  if (after.phase === 'AwaitingApproval') return 'Approved: it still awaits more approvals.';
  return `Approved: the execution is now ${after.phase}.`;
}

/** Every field the API gave, in a fixed order, then any other it may add later. */
function Fields({ execution }: { execution: Execution }) {
  const shown: [string, string, unknown][] = [];
  const labels: [string, string][] = [
    ['id', 'ID'],
    ['phase', 'Phase'],
    ['targetResource', 'Target'],
    ['workflowId', 'Workflow'],
    ['workflowVersion', 'Version'],
    ['workflowDigest', 'Digest'],
    ['parameters', 'Parameters'],
    ['correlationId', 'Correlation ID'],
    ['requestedBy', 'Requested by'],
    ['onBehalfOf', 'On behalf of'],
    ['cancelledBy', 'Cancelled by'],
    ['source', 'Source'],
    ['createdAt', 'Created'],
    ['startTime', 'Started'],
    ['completionTime', 'Completed'],
    ['durationSeconds', 'Duration'],
    ['timeoutSeconds', 'Timeout'],
    ['failureDetails', 'Failure'],
    ['skipDetails', 'Skip'],
    ['approval', 'Approval'],
    ['executionRef', 'Step Functions execution'],
  ];
  const known = new Set(labels.map(([field]) => field));
  // Fields the page has no label for (a newer API's) are shown too, under their own name.
  const fields: Record<string, unknown> = execution;
  for (const [field, label] of labels) if (fields[field] !== undefined) shown.push([field, label, fields[field]]);
  for (const [field, value] of Object.entries(fields))
    if (!known.has(field) && value !== undefined) shown.push([field, field, value]);
  return html`<section aria-labelledby="fields-heading">
    <h2 id="fields-heading">Fields</h2>
    <dl class="fields">${shown.map(([field, label, value]) => html`<dt>${label}</dt><dd><${FieldValue} field=${field} value=${value} /></dd>`)}</dl>
  </section>`;
}

function FieldValue({ field, value }: { field: string; value: unknown }) {
  if (field === 'targetResource') return html`<${TargetLink} target=${String(value)} />`;
  if (field === 'workflowId') return html`<a href=${href.workflows()}>${String(value)}</a>`;
  if (
    (field === 'durationSeconds' || field === 'timeoutSeconds' || field === 'retryAfterSeconds') &&
    typeof value === 'number'
  )
    return html`${formatDuration(value)} <span class="muted">(${value} s)</span>`;
  if (TIMES.has(field) && typeof value === 'string') return html`<${Time} at=${value} full=${true} />`;
  if (/ExecutionId$/.test(field) && typeof value === 'string') return html`<${ExecutionLink} id=${value} />`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return html`<span class="muted">none</span>`;
    return html`<dl class="nested">${entries.map(([name, inner]) => html`<dt>${name}</dt><dd><${FieldValue} field=${name} value=${inner} /></dd>`)}</dl>`;
  }
  return html`<${Value} value=${value} />`;
}

function Steps({
  loaded,
  failedStep,
}: {
  loaded: { data?: { items: Step[] }; error?: ApiError };
  failedStep?: string;
}) {
  const items = loaded.data?.items ?? [];
  return html`<section aria-labelledby="steps-heading">
    <h2 id="steps-heading">Steps</h2>
    ${!loaded.data && loaded.error ? html`<${Problem} what="the steps" error=${loaded.error} />` : null}
    ${loaded.data && items.length === 0 ? html`<p class="empty">No step has run.</p>` : null}
    ${
      items.length > 0
        ? html`<${Stale} error=${loaded.error} />
          <table class="steps">
            <caption class="visually-hidden">Steps as Step Functions ran them, in order</caption>
            <thead>
              <tr><th scope="col">Step</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Entered</th><th scope="col">Took</th><th scope="col">Error</th><th scope="col">Cause</th></tr>
            </thead>
            <tbody>
              ${items.map((step, index) => {
                // The marker names the step the execution failed in; a step that failed inside a run that recovered is only Failed.
                const isFailedStep =
                  failedStep !== undefined && step.name === failedStep && step.status !== 'Succeeded';
                const failed = step.status === 'Failed' || isFailedStep;
                const took =
                  step.enteredAt && step.exitedAt
                    ? (new Date(step.exitedAt).getTime() - new Date(step.enteredAt).getTime()) / 1000
                    : undefined;
                return html`<tr key=${index} class=${failed ? 'step-failed' : step.status === 'Caught' ? 'step-caught' : ''}>
                  <td>${step.name}${isFailedStep ? html` <strong class="marker">failed step</strong>` : null}</td>
                  <td>${step.type}</td>
                  <td>${step.status}</td>
                  <td><${Time} at=${step.enteredAt} /></td>
                  <td>${took !== undefined ? formatDuration(took) : step.status === 'Running' ? 'running' : ''}</td>
                  <td class="mono">${step.error ?? ''}</td>
                  <td class="cause">${step.cause ?? ''}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : null
    }
  </section>`;
}

function Events({ loaded }: { loaded: { data?: { items: AuditEvent[] }; error?: ApiError } }) {
  const items = loaded.data?.items ?? [];
  return html`<section aria-labelledby="events-heading">
    <h2 id="events-heading">Audit events</h2>
    ${!loaded.data && loaded.error ? html`<${Problem} what="the audit events" error=${loaded.error} />` : null}
    ${loaded.data && items.length === 0 ? html`<p class="empty">No audit event.</p>` : null}
    ${
      items.length > 0
        ? html`<${Stale} error=${loaded.error} />
          <table class="events">
            <caption class="visually-hidden">Audit events in the order they happened</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Event</th><th scope="col">At</th><th scope="col">Actor</th><th scope="col">Details</th></tr></thead>
            <tbody>
              ${items.map(
                (event) => html`<tr key=${event.seq}>
                  <td>${event.seq}</td>
                  <td class="mono">${event.type.replace(/^workflowexecution\./, '')}</td>
                  <td><${Time} at=${event.at} /></td>
                  <td>${event.actor ?? ''}</td>
                  <td>${event.payload && Object.keys(event.payload).length > 0 ? html`<${Value} value=${event.payload} />` : ''}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
  </section>`;
}
