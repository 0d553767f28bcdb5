/// <reference lib="dom" />
import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { userPattern, userPatternProblem } from '../../../domain/user-pattern.js';
import { problemWith } from '../../../domain/workflow-parameters.js';
import { ApiError, call, type Execution, type Page, type Parameter, type Workflow } from '../api.js';
import { ExecutionLink, Problem, Value } from '../components.js';
import { html } from '../html.js';
import { gated, NeedsRole, usePermission } from '../identity.js';
import { useApi } from '../live.js';
import { href, navigate } from '../router.js';

/** Each workflow version with its parameters and digest, and a form to run it. */
export function WorkflowsPage({ query }: { query: URLSearchParams }) {
  // The catalog does not change while the engine runs: read once.
  const catalog = useApi<Page<Workflow>>('/workflows', { live: false });
  const target = query.get('target') ?? '';
  const byId = new Map<string, Workflow[]>();
  for (const workflow of catalog.data?.items ?? []) byId.set(workflow.id, [...(byId.get(workflow.id) ?? []), workflow]);
  const ids = [...byId.keys()].sort();
  return html`<h1 tabindex="-1">Workflows</h1>
    ${catalog.error ? html`<${Problem} what="the workflows" error=${catalog.error} />` : null}
    ${!catalog.data && !catalog.error ? html`<p class="loading">Loading…</p>` : null}
    ${ids.map(
      (id) => html`<section class="workflow" aria-labelledby=${`workflow-${id}`} key=${id}>
        <h2 id=${`workflow-${id}`}>${id}</h2>
        ${byId
          .get(id)!
          .sort((a, b) => compareVersions(b.version, a.version))
          .map(
            (workflow, index) =>
              html`<${Version} workflow=${workflow} latest=${index === 0} target=${target} key=${workflow.version} />`,
          )}
      </section>`,
    )}`;
}

/** Versions by number, as the catalog orders them (`1.10` after `1.9`). */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function Version({ workflow, latest, target }: { workflow: Workflow; latest: boolean; target: string }) {
  const parameters = workflow.parameters ?? [];
  const headingId = useId();
  return html`<article class="version" aria-labelledby=${headingId}>
    <h3 id=${headingId}>${workflow.id} version ${workflow.version}${latest ? html` <span class="tag">latest</span>` : null}</h3>
    <div class="about">
      ${workflow.description ? html`<p>${workflow.description}</p>` : null}
      <dl class="fields">
        <dt>Digest</dt><dd class="mono">${workflow.digest ?? '—'}</dd>
        ${workflow.targetPattern ? html`<dt>Target pattern</dt><dd class="mono">${workflow.targetPattern}</dd>` : null}
        ${workflow.steps?.length ? html`<dt>Steps</dt><dd>${workflow.steps.join(', ')}</dd>` : null}
        ${workflow.policy && Object.keys(workflow.policy).length > 0 ? html`<dt>Policy</dt><dd><${Value} value=${workflow.policy} /></dd>` : null}
        ${workflow.stateMachineArn ? html`<dt>State machine</dt><dd class="mono">${workflow.stateMachineArn}</dd>` : null}
      </dl>
      ${
        parameters.length === 0
          ? html`<p class="muted">No parameters.</p>`
          : html`<table class="parameters">
            <caption class="visually-hidden">Parameters of ${workflow.id} version ${workflow.version}</caption>
            <thead><tr><th scope="col">Parameter</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Default</th><th scope="col">Allowed</th><th scope="col">Description</th></tr></thead>
            <tbody>
              ${parameters.map(
                (parameter) => html`<tr key=${parameter.name}>
                  <td class="mono">${parameter.name}</td>
                  <td>${parameter.type ?? 'string'}</td>
                  <td>${parameter.required ? 'yes' : 'no'}</td>
                  <td class="mono">${parameter.default ?? ''}</td>
                  <td>${allowed(parameter)}</td>
                  <td>${parameter.description ?? ''}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
      }
    </div>
    ${
      workflow.runnableLocally === false
        ? html`<p class="muted">This version names an existing state machine and has no definition to run in its place here, so it cannot run in local mode.</p>`
        : html`<${RunForm} workflow=${workflow} target=${target} />`
    }
  </article>`;
}

/** The rules of a parameter in words: "one of a, b", "0 to 86400", "matches ^x$", "at most 256 characters". */
function allowed(parameter: Parameter): string {
  const rules: string[] = [];
  if (parameter.enum) rules.push(`one of ${parameter.enum.join(', ')}`);
  if (parameter.minimum !== undefined && parameter.maximum !== undefined)
    rules.push(`${parameter.minimum} to ${parameter.maximum}`);
  else if (parameter.minimum !== undefined) rules.push(`at least ${parameter.minimum}`);
  else if (parameter.maximum !== undefined) rules.push(`at most ${parameter.maximum}`);
  if (parameter.pattern !== undefined) rules.push(`matches ${parameter.pattern}`);
  if (parameter.maxLength !== undefined) rules.push(`at most ${parameter.maxLength} characters`);
  return rules.join('; ');
}

type Problems = Record<string, string>;
type Outcome = { error?: ApiError; skipped?: Execution };

const TARGET_FIELD = 'targetResource';
const CORRELATION_FIELD = 'correlationId';

/**
 * Run one version. Every value is checked with the domain's own rules (`problemWith`, the
 * same function the API admits with) before anything is sent: a bad value stays on the page
 * with its message beside the field, and no request leaves. Empty means "not given" (the
 * default applies).
 */
function RunForm({ workflow, target }: { workflow: Workflow; target: string }) {
  const prefix = useId();
  const [problems, setProblems] = useState<Problems>({});
  const [outcome, setOutcome] = useState<Outcome>({});
  const [busy, setBusy] = useState(false);
  const permission = usePermission('run');
  const parameters = workflow.parameters ?? [];
  const fieldId = (name: string) => `${prefix}-${name}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? '');
    const found: Problems = {};
    const targetResource = text(TARGET_FIELD);
    const targetProblem = checkTarget(workflow, targetResource);
    if (targetProblem) found[TARGET_FIELD] = targetProblem;
    const values: Record<string, string> = {};
    for (const parameter of parameters) {
      const value = text(`parameter:${parameter.name}`);
      if (value === '') {
        if (parameter.required && parameter.default === undefined) found[parameter.name] = 'is required';
        continue;
      }
      const problem = problemWith(parameter, value);
      if (problem) found[parameter.name] = problem;
      else values[parameter.name] = value;
    }
    setProblems(found);
    setOutcome({});
    const first = Object.keys(found)[0];
    if (first) {
      (form.querySelector(`#${CSS.escape(fieldId(first))}`) as HTMLElement | null)?.focus();
      return;
    }
    const correlationId = text(CORRELATION_FIELD);
    setBusy(true);
    try {
      const body = {
        targetResource,
        workflowId: workflow.id,
        workflowVersion: workflow.version,
        parameters: values,
        ...(correlationId && { correlationId }),
      };
      const created = await call<Execution>('POST', '/executions', body);
      navigate(href.execution(created.id));
    } catch (error) {
      const failure = error instanceof ApiError ? error : new ApiError(0, 'PageError', (error as Error).message);
      const skipped =
        failure.status === 409 && (failure.body as Execution | undefined)?.phase === 'Skipped'
          ? (failure.body as Execution)
          : undefined;
      setOutcome({ error: failure, ...(skipped && { skipped }) });
    } finally {
      setBusy(false);
    }
  };

  const count = Object.keys(problems).length;
  const targetHint = workflow.targetPattern
    ? `must match ${workflow.targetPattern}`
    : 'namespace/kind/name, kind/name or an ARN';
  const targetAria = described(fieldId(TARGET_FIELD), targetHint, problems[TARGET_FIELD]);
  return html`<form class="run" aria-label=${`Run ${workflow.id} version ${workflow.version}`} novalidate onSubmit=${submit}>
    <${Field} id=${fieldId(TARGET_FIELD)} label="Target resource" problem=${problems[TARGET_FIELD]} hint=${targetHint}>
      <input
        id=${fieldId(TARGET_FIELD)}
        name=${TARGET_FIELD}
        type="text"
        defaultValue=${target}
        autocomplete="off"
        spellcheck=${false}
        aria-describedby=${targetAria.describedBy}
        aria-invalid=${targetAria.invalid}
      />
    <//>
    ${parameters.map((parameter) => html`<${ParameterField} parameter=${parameter} id=${fieldId(parameter.name)} problem=${problems[parameter.name]} key=${parameter.name} />`)}
    <${Field} id=${fieldId(CORRELATION_FIELD)} label="Correlation ID" hint="optional">
      <input id=${fieldId(CORRELATION_FIELD)} name=${CORRELATION_FIELD} type="text" autocomplete="off" aria-describedby=${`${fieldId(CORRELATION_FIELD)}-hint`} />
    <//>
    <button type="submit" ...${gated(permission, fieldId('run-needs'), busy)}>Run</button>
    <${NeedsRole} id=${fieldId('run-needs')} permission=${permission} />
    ${count > 0 ? html`<p class="problem" role="alert">Not sent: ${count === 1 ? 'one value does not fit' : `${count} values do not fit`} the workflow.</p>` : null}
    ${
      outcome.error
        ? html`<div class="problem" role="alert">
          <p><strong>${outcome.skipped ? 'Refused' : 'Not started'}</strong> (${outcome.error.status} ${outcome.error.code}): ${outcome.error.message}</p>
          ${outcome.error.details.length > 0 ? html`<ul>${outcome.error.details.map((detail) => html`<li>${detail}</li>`)}</ul>` : null}
          ${outcome.skipped ? html`<p>The refusal is recorded as execution <${ExecutionLink} id=${outcome.skipped.id} />.</p>` : null}
        </div>`
        : null
    }
  </form>`;
}

function checkTarget(workflow: Workflow, target: string): string | undefined {
  if (target === '') return 'is required';
  if (target.trim() !== target) return 'must not start or end with white space';
  // The API's own engine (linear time, RE2 syntax): a pattern means here what it means at admission.
  if (
    workflow.targetPattern !== undefined &&
    userPatternProblem(workflow.targetPattern) === undefined &&
    !userPattern(workflow.targetPattern).test(target.normalize('NFC'))
  ) {
    return `must match ${workflow.targetPattern}, the target pattern of ${workflow.id}`;
  }
  return undefined;
}

function ParameterField({ parameter, id, problem }: { parameter: Parameter; id: string; problem?: string }) {
  const name = `parameter:${parameter.name}`;
  const hint = [
    parameter.type ?? 'string',
    parameter.required ? 'required' : 'optional',
    allowed(parameter),
    parameter.default !== undefined ? `default ${parameter.default}` : '',
    parameter.description ?? '',
  ]
    .filter(Boolean)
    .join(' · ');
  const aria = described(id, hint, problem);
  const choices = parameter.enum ?? (parameter.type === 'boolean' ? ['true', 'false'] : undefined);
  const control = choices
    ? html`<select id=${id} name=${name} aria-describedby=${aria.describedBy} aria-invalid=${aria.invalid}>
        <option value="">${parameter.default !== undefined ? `(default: ${parameter.default})` : '(not given)'}</option>
        ${choices.map((choice) => html`<option value=${choice}>${choice}</option>`)}
      </select>`
    : html`<input
        id=${id}
        name=${name}
        type="text"
        inputmode=${parameter.type === 'integer' || parameter.type === 'number' ? 'decimal' : 'text'}
        placeholder=${parameter.default ?? ''}
        autocomplete="off"
        spellcheck=${false}
        aria-describedby=${aria.describedBy}
        aria-invalid=${aria.invalid}
      />`;
  return html`<${Field} id=${id} label=${parameter.name} problem=${problem} hint=${hint}>${control}<//>`;
}

/** The ids that tie a control to its hint and its problem, for assistive technology. */
function described(
  id: string,
  hint?: string,
  problem?: string,
): { describedBy: string | undefined; invalid: 'true' | undefined } {
  const ids = [hint ? `${id}-hint` : '', problem ? `${id}-problem` : ''].filter(Boolean).join(' ');
  return { describedBy: ids || undefined, invalid: problem ? 'true' : undefined };
}

/** A label, the control (the caller's, wired with `described`), its hint and its problem. */
function Field({
  id,
  label,
  hint,
  problem,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  problem?: string;
  children: ComponentChildren;
}) {
  return html`<div class=${problem ? 'field invalid' : 'field'}>
    <label for=${id}>${label}</label>
    ${children}
    ${hint ? html`<span id=${`${id}-hint`} class="hint">${hint}</span>` : null}
    ${problem ? html`<span id=${`${id}-problem`} class="field-problem">${label} ${problem}</span>` : null}
  </div>`;
}
