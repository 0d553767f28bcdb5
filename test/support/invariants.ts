import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { recordFromItem } from '../../lib/adapters/dynamodb/items.js';
import { approversOf, deciderOf, requesterOf } from '../../lib/domain/approval.js';
import { AuditEventType } from '../../lib/domain/audit.js';
import type { Execution, ExecutionRecord } from '../../lib/domain/execution.js';

/** One letter per audit event, so that each phase's possible trails are a regular expression. */
const LETTER: Record<AuditEventType, string> = {
  [AuditEventType.ExecutionSkipped]: 'P',
  [AuditEventType.SelectionCompleted]: 'S',
  [AuditEventType.ApprovalRequested]: 'Q',
  [AuditEventType.ApprovalDecided]: 'D',
  [AuditEventType.ApprovalExpired]: 'X',
  [AuditEventType.ExecutionCancelled]: 'C',
  [AuditEventType.ExecutionStarted]: 'R',
  [AuditEventType.WorkflowCompleted]: 'K',
  [AuditEventType.WorkflowFailed]: 'F',
  [AuditEventType.BlockCleared]: '',
};
/**
 * The audit trail each way an execution can go, in order: anything else is a lost or doubled event.
 * S selected, Q approval requested, D decided, X approval expired, C cancelled, R started, K completed, F failed.
 */
const TRAILS: Record<string, RegExp> = {
  Skipped: /^P$/,
  // Approved (one decision or more) and started.
  Completed: /^S(QD+)?RK$/,
  // Ended before the run (a failed start or a cancel; or while awaiting approval: rejected, expired, cancelled), or after it.
  Failed: /^S(C?|QD*[XC]?|QD+C?)F$|^S(QD+)?RC?F$/,
  Running: /^S(QD+)?R$/,
};

export interface InvariantReport {
  executions: number;
  violations: string[];
}

/**
 * Proves, from the stored executions and their audit events alone:
 * - each admitted execution's fencing token is unique per target;
 * - no two executions of one target were ever Running at the same time (each run's
 *   [started, ended] interval ends before the next token's begins);
 * - every audit trail is complete, numbered 1..n, in order, one event per transition;
 * - approvals: never decided by the requester, each person once, and a run only once approved;
 * - with `expectSettled`, nothing is left Pending or Running.
 */
export async function checkInvariants(
  client: DynamoDBClient,
  tableName: string,
  options: {
    expectSettled?: boolean;
    /** Whether an execution's workflow needs approval for its target: then it ran only once approved. */
    approvalNeeded?: (execution: Execution) => boolean;
  } = {},
): Promise<InvariantReport> {
  const records = await allExecutions(client, tableName);
  const violations: string[] = [];
  const byTarget = new Map<string, ExecutionRecord[]>();
  for (const record of records) {
    const { execution, events } = record;
    const where = `execution ${execution.id} (${execution.phase}) on ${execution.targetResource}`;
    const trail = events.map((e) => e.type).filter((type) => type !== AuditEventType.BlockCleared);
    if (!TRAILS[execution.phase]?.test(trail.map((type) => LETTER[type]).join('')))
      violations.push(`${where}: audit trail ${trail.join(' → ') || '(none)'}`);
    violations.push(...approvalViolations(record, where, options.approvalNeeded));
    events.forEach((event, index) => {
      if (event.seq !== index + 1) violations.push(`${where}: event ${index} has seq ${event.seq}`);
      if (index > 0 && Date.parse(event.at) < Date.parse(events[index - 1]!.at))
        violations.push(`${where}: event ${event.seq} is earlier than the one before`);
    });
    if (options.expectSettled && (execution.phase === 'Pending' || execution.phase === 'Running'))
      violations.push(`${where}: not settled`);
    if (execution.phase !== 'Skipped')
      byTarget.set(execution.targetResource, [...(byTarget.get(execution.targetResource) ?? []), record]);
  }
  for (const [target, admitted] of byTarget) {
    const tokens = admitted.map((r) => r.fencingToken);
    if (tokens.some((t) => t === undefined)) violations.push(`${target}: an admitted execution has no fencing token`);
    if (new Set(tokens).size !== tokens.length)
      violations.push(`${target}: fencing token used twice (${tokens.join(', ')})`);
    const runs = admitted
      .map((r) => ({ id: r.execution.id, token: r.fencingToken ?? 0, start: startedAt(r), end: endedAt(r) }))
      .filter((run) => run.start !== undefined)
      .sort((a, b) => a.token - b.token);
    for (let i = 1; i < runs.length; i++) {
      const [before, after] = [runs[i - 1]!, runs[i]!];
      if (before.end === undefined || before.end > after.start!)
        violations.push(
          `${target}: ${before.id} (token ${before.token}) was still running when ${after.id} (token ${after.token}) started`,
        );
    }
  }
  return { executions: records.length, violations };
}

/**
 * What approvals promise, from the record alone: no decision by the requester, each person
 * once, and a run only once the approvals needed were given (for every execution that had an
 * approval, and every one whose workflow needs it).
 */
function approvalViolations(
  { execution, events }: ExecutionRecord,
  where: string,
  approvalNeeded?: (execution: Execution) => boolean,
): string[] {
  const violations: string[] = [];
  const decisions = execution.approval?.decisions ?? [];
  const persons = decisions.map(deciderOf);
  if (persons.includes(requesterOf(execution))) violations.push(`${where}: decided by its requester`);
  if (new Set(persons).size !== persons.length) violations.push(`${where}: a person decided twice`);
  const ran = events.some((e) => e.type === AuditEventType.ExecutionStarted);
  if (ran && (execution.approval || approvalNeeded?.(execution))) {
    const needed = execution.approval?.approvalsNeeded;
    if (needed === undefined) violations.push(`${where}: ran without the approval its workflow needs`);
    else if (approversOf(execution).length < needed)
      violations.push(`${where}: ran with ${approversOf(execution).length} of ${needed} approvals`);
    if (decisions.some((d) => d.decision === 'reject')) violations.push(`${where}: ran although rejected`);
  }
  return violations;
}

/** The domain event each audit event announces (API.md, Events): the admission and a clearance announce none. */
const EVENT_OF_AUDIT: Partial<Record<AuditEventType, { type: string; phase: string }>> = {
  [AuditEventType.ApprovalRequested]: { type: 'WorkflowExecution AwaitingApproval', phase: 'AwaitingApproval' },
  [AuditEventType.ExecutionStarted]: { type: 'WorkflowExecution Started', phase: 'Running' },
  [AuditEventType.WorkflowCompleted]: { type: 'WorkflowExecution Completed', phase: 'Completed' },
  [AuditEventType.WorkflowFailed]: { type: 'WorkflowExecution Failed', phase: 'Failed' },
  [AuditEventType.ExecutionSkipped]: { type: 'WorkflowExecution Skipped', phase: 'Skipped' },
};

export interface DeliveredDomainEvent {
  'detail-type': string;
  source: string;
  detail: unknown;
}

/**
 * Proves the domain events against the audit trails: every transition stored was delivered
 * at least once (`(detail.id, detail.phase)`), no event was delivered that no audit event
 * stands for (none invented), each is typed by its phase, and an event of the phase an
 * execution is stored in carries exactly the execution as stored.
 */
export function checkDomainEvents(
  records: readonly ExecutionRecord[],
  delivered: readonly DeliveredDomainEvent[],
): { expected: number; delivered: number; duplicates: number; violations: string[] } {
  const violations: string[] = [];
  const expected = new Map<string, { type: string; record: ExecutionRecord }>();
  for (const record of records) {
    for (const audit of record.events) {
      const event = EVENT_OF_AUDIT[audit.type];
      if (event) expected.set(`${record.execution.id} ${event.phase}`, { type: event.type, record });
    }
  }
  const seen = new Map<string, number>();
  for (const event of delivered) {
    const detail = event.detail as { id?: string; phase?: string };
    const key = `${detail.id} ${detail.phase}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const match = expected.get(key);
    if (event.source !== 'lockstep') violations.push(`event ${key} has source ${event.source}`);
    if (!match) {
      violations.push(`event ${event['detail-type']} for ${key} stands for no stored transition (invented)`);
      continue;
    }
    if (event['detail-type'] !== match.type)
      violations.push(`event ${key} is a ${event['detail-type']}, not a ${match.type}`);
    const stored = match.record.execution;
    if ((detail as { truncated?: boolean }).truncated) {
      // An event too large for the bus carries the execution's identity and phase, and the route that reads the rest.
      const identity = {
        id: stored.id,
        targetResource: stored.targetResource,
        workflowId: stored.workflowId,
        workflowVersion: stored.workflowVersion,
        href: `/executions/${stored.id}`,
      };
      const carried = detail as Record<string, unknown>;
      if (Object.entries(identity).some(([field, value]) => carried[field] !== value))
        violations.push(`truncated event ${key} does not carry the execution's identity`);
    } else if (stored.phase === detail.phase && JSON.stringify(sorted(detail)) !== JSON.stringify(sorted(stored))) {
      violations.push(`event ${key} does not carry the execution as stored`);
    }
  }
  for (const key of expected.keys())
    if (!seen.has(key)) violations.push(`transition ${key} was stored but its event never arrived`);
  const duplicates = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  return { expected: expected.size, delivered: delivered.length, duplicates, violations };
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

function startedAt(record: ExecutionRecord): number | undefined {
  const started = record.events.find((e) => e.type === AuditEventType.ExecutionStarted);
  return started ? Date.parse(started.at) : undefined;
}

function endedAt(record: ExecutionRecord): number | undefined {
  const ended = record.events.find(
    (e) => e.type === AuditEventType.WorkflowCompleted || e.type === AuditEventType.WorkflowFailed,
  );
  return ended ? Date.parse(ended.at) : undefined;
}

export async function allExecutions(client: DynamoDBClient, tableName: string): Promise<ExecutionRecord[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const records: ExecutionRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :execution',
        ExpressionAttributeValues: { ':execution': 'execution' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) records.push(recordFromItem(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return records;
}
