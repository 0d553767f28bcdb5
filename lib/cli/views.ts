// How the API's objects read in a terminal: one table per listing, `label: value` lines for one object.
import type { AuditEvent, Execution, Step, Target, Workflow, WorkflowParameter } from '../contract/api-objects.js';
import { type Column, renderFields } from './table.js';
import { duration, exactAndRelative, relative } from './time-format.js';

/** `Failed (TaskFailed)`, `Skipped (ResourceBusy)`, `Completed`. */
export function phaseOf(execution: Execution): string {
  const reason = execution.failureDetails?.reason ?? execution.skipDetails?.reason;
  return reason ? `${execution.phase} (${reason})` : execution.phase;
}

export function executionColumns(now: Date): Column<Execution>[] {
  return [
    { header: 'ID', value: (e) => e.id },
    { header: 'TARGET', value: (e) => e.targetResource, flexible: true },
    { header: 'WORKFLOW', value: (e) => `${e.workflowId}@${e.workflowVersion}`, flexible: true },
    { header: 'PHASE', value: phaseOf },
    { header: 'CREATED', value: (e) => relative(e.createdAt, now) },
    { header: 'DURATION', value: (e) => duration(e.durationSeconds) },
  ];
}

export function executionFields(e: Execution, now: Date): string {
  const skip = e.skipDetails;
  const failure = e.failureDetails;
  return renderFields([
    ['ID', e.id],
    ['Target', e.targetResource],
    ['Workflow', `${e.workflowId}@${e.workflowVersion}`],
    ['Digest', e.workflowDigest],
    ['Phase', phaseOf(e)],
    ['Why', skip?.message ?? failure?.message],
    ['Failed step', failure?.failedStep],
    ['Failed at', exactAndRelative(failure?.failedAt, now)],
    ['Held by', skip?.conflictingExecutionId],
    ['Recent run', skip?.recentExecutionId],
    ['Next allowed', skip?.nextAllowedAt && `${skip.nextAllowedAt} (${relative(skip.nextAllowedAt, now)})`],
    [
      'Parameters',
      Object.entries(e.parameters ?? {})
        .map(([name, value]) => `${name}=${value}`)
        .join(' '),
    ],
    ['Correlation', e.correlationId],
    ['Requested by', e.requestedBy && `${e.requestedBy}${forWhom(e.onBehalfOf)} (${e.source})`],
    ['Approval', approvalLine(e, now)],
    ['Decisions', e.approval?.decisions.map(decisionLine).join('\n')],
    ['Cancelled by', e.cancelledBy],
    ['Timeout', e.timeoutSeconds === undefined ? undefined : `${e.timeoutSeconds}s`],
    ['Run', e.executionRef?.arn ?? e.executionRef?.name],
    ['Created', exactAndRelative(e.createdAt, now)],
    ['Started', exactAndRelative(e.startTime, now)],
    ['Ended', exactAndRelative(e.completionTime, now)],
    ['Duration', duration(e.durationSeconds)],
  ]);
}

/** ` for alice`: whom an intermediary acted for. */
function forWhom(onBehalfOf: string | undefined): string {
  return onBehalfOf ? ` for ${onBehalfOf}` : '';
}

/** `1 of 2 approvals, needed by 2026-… (in 14m)`. */
function approvalLine(e: Execution, now: Date): string | undefined {
  if (!e.approval) return undefined;
  const approvals = e.approval.decisions.filter((d) => d.decision === 'approve').length;
  const open = e.phase === 'AwaitingApproval';
  return `${approvals} of ${e.approval.approvalsNeeded} approvals${open ? `, needed by ${e.approval.requiredBy} (${relative(e.approval.requiredBy, now)})` : ''}`;
}

/** `2026-… approve by token:bob for Bob: looks right`. */
function decisionLine(d: NonNullable<Execution['approval']>['decisions'][number]): string {
  return `${d.at} ${d.decision} by ${d.by}${forWhom(d.onBehalfOf)}${d.comment ? `: ${d.comment}` : ''}`;
}

export function eventColumns(): Column<AuditEvent>[] {
  return [
    { header: 'SEQ', value: (e) => String(e.seq) },
    { header: 'AT', value: (e) => e.at },
    { header: 'TYPE', value: (e) => e.type.replace(/^workflowexecution\./, '') },
    { header: 'ACTOR', value: (e) => e.actor, flexible: true },
    {
      header: 'PAYLOAD',
      value: (e) => (e.payload && Object.keys(e.payload).length > 0 ? JSON.stringify(e.payload) : undefined),
      flexible: true,
    },
  ];
}

export function stepColumns(): Column<Step>[] {
  const seconds = (s: Step) =>
    s.enteredAt && s.exitedAt ? (Date.parse(s.exitedAt) - Date.parse(s.enteredAt)) / 1000 : undefined;
  return [
    { header: 'STEP', value: (s) => s.name, flexible: true },
    { header: 'TYPE', value: (s) => s.type },
    { header: 'STATUS', value: (s) => s.status },
    { header: 'ENTERED', value: (s) => s.enteredAt },
    { header: 'TOOK', value: (s) => duration(seconds(s)) },
    { header: 'ERROR', value: (s) => [s.error, s.cause].filter(Boolean).join(': ') || undefined, flexible: true },
  ];
}

export function targetColumns(now: Date): Column<Target>[] {
  return [
    { header: 'TARGET', value: (t) => t.targetResource, flexible: true },
    { header: 'STATE', value: (t) => (t.blockReason ? `${t.state} (${t.blockReason})` : t.state) },
    { header: 'EXECUTION', value: (t) => t.currentExecutionId ?? t.lastExecutionId },
    { header: 'LAST', value: (t) => t.lastOutcome },
    { header: 'UNTIL', value: (t) => relative(t.cooldownUntil ?? t.nextAllowedAt, now) },
    { header: 'FAILURES', value: (t) => String(t.consecutiveFailures) },
  ];
}

export function targetFields(t: Target, now: Date): string {
  return renderFields([
    ['Target', t.targetResource],
    ['State', t.state],
    ['Block reason', t.blockReason],
    ['Running', t.currentExecutionId],
    ['Last execution', t.lastExecutionId && `${t.lastExecutionId}${t.lastOutcome ? ` (${t.lastOutcome})` : ''}`],
    [
      'Cooldown until',
      t.cooldownUntil &&
        `${t.cooldownUntil} (${t.cooldownRemainingSeconds ? `${t.cooldownRemainingSeconds}s left` : `over, ${relative(t.cooldownUntil, now)}`})`,
    ],
    ['Next allowed', t.nextAllowedAt && `${t.nextAllowedAt} (${relative(t.nextAllowedAt, now)})`],
    ['Failures', String(t.consecutiveFailures)],
    [
      'Clearances',
      t.blockClearances.map((c) => `${c.clearedAt} by ${c.clearedBy}${forWhom(c.onBehalfOf)}: ${c.reason}`).join('\n'),
    ],
  ]);
}

export function workflowColumns(): Column<Workflow>[] {
  return [
    { header: 'WORKFLOW', value: (w) => w.id },
    { header: 'VERSION', value: (w) => (w.runnableLocally === false ? `${w.version} (not local)` : w.version) },
    { header: 'PARAMETERS', value: (w) => w.parameters?.map((p) => p.name).join(',') || undefined, flexible: true },
    { header: 'DESCRIPTION', value: (w) => w.description, flexible: true },
  ];
}

export function workflowFields(w: Workflow): string {
  return renderFields([
    ['Workflow', `${w.id}@${w.version}`],
    ['Description', w.description],
    ['Digest', w.digest],
    ['Target pattern', w.targetPattern],
    [
      'Policy',
      w.policy &&
        Object.entries(w.policy)
          .map(([name, value]) => `${name}=${value}`)
          .join(' '),
    ],
    ['Steps', w.steps?.join(', ')],
    ['State machine', w.stateMachineArn],
    [
      'Runs locally',
      w.runnableLocally === false ? 'no (names an existing state machine with no definition to stand in)' : undefined,
    ],
    ['Parameters', w.parameters?.map(parameterLine).join('\n')],
  ]);
}

/** `SECONDS integer, default 1, 0..86400: how long to wait`. */
function parameterLine(p: WorkflowParameter): string {
  const rules = [
    p.type ?? 'string',
    p.required ? 'required' : undefined,
    p.default !== undefined ? `default ${p.default}` : undefined,
    p.enum ? `one of ${p.enum.join('|')}` : undefined,
    p.pattern ? `matching ${p.pattern}` : undefined,
    p.minimum !== undefined || p.maximum !== undefined ? `${p.minimum ?? ''}..${p.maximum ?? ''}` : undefined,
    p.maxLength !== undefined ? `at most ${p.maxLength} characters` : undefined,
  ].filter(Boolean);
  return `${p.name} ${rules.join(', ')}${p.description ? `: ${p.description}` : ''}`;
}
