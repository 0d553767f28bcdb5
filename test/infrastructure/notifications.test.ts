import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Errors, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { Lockstep, type LockstepProps, type NotificationKind } from '../../cdk/index.js';
import type { Workflow } from '../../lib/contract/api-objects.js';
import { awaitingApproval, decided } from '../../lib/domain/approval-transitions.js';
import { DomainEventType, domainEventsOf, truncatedDetailOf } from '../../lib/domain/domain-events.js';
import type { Execution } from '../../lib/domain/execution.js';
import type { TargetView } from '../../lib/domain/target.js';
import { transformedMessage } from '../support/input-transformer.js';

type Transformer = { InputPathsMap: Record<string, string>; InputTemplate: string };
type RuleProperties = {
  EventBusName: unknown;
  EventPattern: { source: string[]; 'detail-type': string[]; detail?: unknown };
  Targets: { Arn: unknown; InputTransformer: Transformer }[];
};

/** A user's stack: Lockstep with notifications to a topic of theirs, encrypted with their own key. No bundling: only the template counts. */
function userStack(
  notifications: (topic: Topic) => LockstepProps['notifications'],
  { bundle = false, env }: { bundle?: boolean; env?: { account: string; region: string } } = {},
) {
  const app = new App(bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Team', env ? { env } : {});
  const topic = new Topic(stack, 'OnCall', {
    enforceSSL: true,
    masterKey: new Key(stack, 'OnCallKey', { enableKeyRotation: true }),
  });
  const lockstep = new Lockstep(stack, 'Lockstep', { notifications: notifications(topic) });
  return { app, stack, topic, lockstep };
}

function notificationRules(template: Template): Record<string, RuleProperties> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Events::Rule'))
      .filter(([id]) => id.startsWith('LockstepNotifications'))
      .map(([id, rule]) => [id.replace(/^LockstepNotifications/, '').replace(/[0-9A-F]{8}$/, ''), rule.Properties]),
  );
}

const thrown = (act: () => unknown): unknown => {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

const SECRET = 'hunter2-s3cr3t-api-key';
const ID = '5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d';
/**
 * The details as the outbox publishes them, made by the engine's own rules: a request by a chat bot for alice, with a
 * secret among its parameters, admitted awaiting two approvals, then rejected; each write's domain event as
 * `domainEventsOf` finds it (its detail is the stored execution; the publisher sends `truncatedDetailOf` it when too large).
 */
const admitted = awaitingApproval(
  {
    targetResource: 'payments/deployment/api',
    workflowId: 'restart-deployment',
    workflowVersion: '2',
    workflowDigest: `sha256:${'a'.repeat(64)}`,
    parameters: { REASON: 'OOM', API_KEY: SECRET },
    correlationId: 'rr-123',
    requestedBy: 'token:chat-bot',
    onBehalfOf: 'alice@example.com',
    source: 'api',
  },
  ID,
  new Date('2026-12-07T22:00:00.000Z'),
  { timeoutSeconds: 900, approvals: 2 },
);
const rejection = decided(
  { ...admitted, fencingToken: 1 },
  { by: 'token:bob', decision: 'reject', comment: `not with ${SECRET}`, at: new Date('2026-12-07T22:05:00.000Z') },
);
if (rejection.outcome !== 'rejected') throw new Error(`the reject was ${rejection.outcome}`);
const [awaitingEvent] = domainEventsOf({ after: admitted });
const [failedEvent] = domainEventsOf({ before: admitted, after: rejection.record });
const awaiting: Execution = awaitingEvent!.execution;
const failed: Execution = failedEvent!.execution;
const blocked: TargetView = {
  targetResource: 'payments/deployment/api',
  state: 'Blocked',
  lastExecutionId: ID,
  lastOutcome: 'Failed',
  consecutiveFailures: 1,
  blockReason: 'PreviousExecutionFailed',
  blockClearances: [{ clearedAt: '2026-12-01T10:00:00.000Z', clearedBy: 'token:carol', reason: SECRET }],
};
const tripped: Workflow & { guard: Record<string, unknown> } = {
  id: 'restart-deployment',
  version: '2',
  description: 'Restarts a deployment',
  guard: {
    state: 'Tripped',
    activeExecutions: 0,
    trippedAt: '2026-12-07T22:10:00.000Z',
    tripReason: '3 execution failures within 900 s: e1, e2, e3',
    resets: [],
  },
};
const event = (detailType: string, detail: unknown) => ({
  version: '0',
  id: 'c1a9b3c2-0000-4000-8000-000000000001',
  'detail-type': detailType,
  source: 'lockstep',
  account: '123456789012',
  time: '2026-12-07T22:00:01Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

describe('notifications', () => {
  const all: NotificationKind[] = ['AwaitingApproval', 'Blocked', 'WorkflowTripped', 'Failed'];
  const { stack, topic } = userStack((t) => ({ topic: t, on: all }));
  const template = Template.fromStack(stack);
  const rules = notificationRules(template);
  const busRef = { Ref: Object.keys(template.findResources('AWS::Events::EventBus'))[0] };
  const topicRef = stack.resolve(topic.topicArn);

  it('puts one rule per kind on the engine bus, matching source lockstep and exactly its detail type (approvals: whole and truncated details apart)', () => {
    expect(Object.keys(rules).sort()).toEqual([
      'AwaitingApproval',
      'AwaitingApprovalTruncated',
      'Blocked',
      'Failed',
      'WorkflowTripped',
    ]);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'lockstep' });
    const patterns = Object.fromEntries(Object.entries(rules).map(([id, r]) => [id, r.EventPattern]));
    expect(patterns).toEqual({
      AwaitingApproval: {
        source: ['lockstep'],
        'detail-type': ['WorkflowExecution AwaitingApproval'],
        detail: { truncated: [{ exists: false }] },
      },
      AwaitingApprovalTruncated: {
        source: ['lockstep'],
        'detail-type': ['WorkflowExecution AwaitingApproval'],
        detail: { truncated: [true] },
      },
      Failed: { source: ['lockstep'], 'detail-type': ['WorkflowExecution Failed'] },
      Blocked: { source: ['lockstep'], 'detail-type': ['Target Blocked'] },
      WorkflowTripped: { source: ['lockstep'], 'detail-type': ['Workflow Tripped'] },
    });
    for (const rule of Object.values(rules)) {
      expect(rule.EventBusName).toEqual(busRef);
      expect(rule.Targets).toHaveLength(1);
      expect(rule.Targets[0]!.Arn).toEqual(topicRef);
    }
  });

  it('by default tells of approvals, blocks and trips, not failures; `on` picks the kinds', () => {
    const byDefault = notificationRules(Template.fromStack(userStack((t) => ({ topic: t })).stack));
    expect(Object.keys(byDefault).sort()).toEqual([
      'AwaitingApproval',
      'AwaitingApprovalTruncated',
      'Blocked',
      'WorkflowTripped',
    ]);
    const failuresOnly = notificationRules(Template.fromStack(userStack((t) => ({ topic: t, on: ['Failed'] })).stack));
    expect(Object.keys(failuresOnly)).toEqual(['Failed']);
    const none = Template.fromStack(userStack(() => undefined).stack);
    expect(notificationRules(none)).toEqual({});
    none.resourceCountIs('AWS::SNS::TopicPolicy', 2); // the alarm topic's and the user's own (SSL only), nothing for EventBridge
  });

  it("lets EventBridge publish to the topic, and use the topic's customer managed key", () => {
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')).filter(
      (p) => JSON.stringify(p.Properties.Topics) === JSON.stringify([topicRef]),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: topicRef,
      }),
    );
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    expect(key!.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Principal: { Service: 'events.amazonaws.com' },
      }),
    );
  });

  describe('the messages, rendered from real details the way EventBridge fills an input transformer', () => {
    const message = (rule: string, detailType: string, detail: unknown) =>
      transformedMessage(rules[rule]!.Targets[0]!.InputTransformer, event(detailType, detail));

    it('an execution awaiting approval: target, workflow and version, the deadline and the commands that decide', () => {
      expect([awaitingEvent!.type, failedEvent!.type]).toEqual([
        DomainEventType.AwaitingApproval,
        DomainEventType.Failed,
      ]);
      expect(message('AwaitingApproval', 'WorkflowExecution AwaitingApproval', awaiting)).toBe(
        "Lockstep: restart-deployment v2 on 'payments/deployment/api' awaits approval (execution 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d, needed by 2026-12-07T22:15:00.000Z). " +
          'Approve: lockstep approve 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d   Reject: lockstep reject 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d --comment WHY',
      );
    });

    it('a truncated detail (no approval in it) still reads whole, pointing at the execution for its deadline', () => {
      const truncated = truncatedDetailOf(awaiting);
      expect(truncated).not.toHaveProperty('approval');
      expect(message('AwaitingApprovalTruncated', 'WorkflowExecution AwaitingApproval', truncated)).toBe(
        "Lockstep: restart-deployment v2 on 'payments/deployment/api' awaits approval (execution 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d; its deadline: lockstep get 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d). " +
          'Approve: lockstep approve 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d   Reject: lockstep reject 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d --comment WHY',
      );
    });

    it('a failed execution, whole or truncated: the reason and where to read why', () => {
      const expected =
        "Lockstep: restart-deployment v2 on 'payments/deployment/api' failed: Rejected (execution 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d). " +
        'Why: lockstep get 5f0c1e2a-7b3d-4c55-9a61-0d2f3e4b5c6d';
      expect(message('Failed', 'WorkflowExecution Failed', failed)).toBe(expected);
      expect(message('Failed', 'WorkflowExecution Failed', truncatedDetailOf(failed))).toBe(expected);
    });

    it('a blocked target: its block reason, and the commands to look and to clear', () => {
      expect(message('Blocked', 'Target Blocked', blocked)).toBe(
        "Lockstep: 'payments/deployment/api' is blocked (PreviousExecutionFailed): no workflow runs on it until someone clears it. " +
          "What happened: lockstep target 'payments/deployment/api'   Once fixed: lockstep clear 'payments/deployment/api' --reason WHY",
      );
    });

    it('a tripped workflow: its trip reason, and the command to reset it', () => {
      expect(message('WorkflowTripped', 'Workflow Tripped', tripped)).toBe(
        'Lockstep: workflow restart-deployment tripped its breaker (3 execution failures within 900 s: e1, e2, e3): ' +
          'no new run of it starts until someone resets it. Once fixed: lockstep reset restart-deployment --reason WHY',
      );
    });

    it('a target holding quotes, backslashes and shell characters stays one valid message (EventBridge keeps the output JSON)', () => {
      const odd = { ...blocked, targetResource: 'ns/deployment/a"b\\c$(reboot)' };
      expect(message('Blocked', 'Target Blocked', odd)).toContain(
        "lockstep clear 'ns/deployment/a\"b\\c$(reboot)' --reason WHY",
      );
    });

    it('carries nothing but the naming fields of the detail: no parameter, identity, comment, message or credential', () => {
      const allowed = [
        '$.detail.id',
        '$.detail.targetResource',
        '$.detail.workflowId',
        '$.detail.workflowVersion',
        '$.detail.approval.requiredBy',
        '$.detail.failureDetails.reason',
        '$.detail.blockReason',
        '$.detail.guard.tripReason',
      ];
      for (const rule of Object.values(rules)) {
        const { InputPathsMap, InputTemplate } = rule.Targets[0]!.InputTransformer;
        expect(Object.values(InputPathsMap).filter((path) => !allowed.includes(path))).toEqual([]);
        // Nothing else of the event (aws.events.event, the whole detail) is referenced.
        expect(
          [...InputTemplate.matchAll(/<([^>]+)>/g)].map((m) => m[1]).filter((k) => !(k! in InputPathsMap)),
        ).toEqual([]);
      }
      const rendered = [
        message('AwaitingApproval', 'WorkflowExecution AwaitingApproval', awaiting),
        message('AwaitingApprovalTruncated', 'WorkflowExecution AwaitingApproval', truncatedDetailOf(awaiting)),
        message('Failed', 'WorkflowExecution Failed', failed),
        message('Blocked', 'Target Blocked', blocked),
        message('WorkflowTripped', 'Workflow Tripped', tripped),
      ].join('\n');
      const leaks = [SECRET, 'token:chat-bot', 'alice@example.com', 'token:bob', 'token:carol', 'OOM'];
      // The details do carry each of them: the messages leave them out.
      for (const leak of leaks) expect(JSON.stringify([awaiting, failed, blocked])).toContain(leak);
      for (const secret of leaks) expect(rendered).not.toContain(secret);
    });
  });

  describe('what it refuses, as aws-cdk-lib refuses props: a ValidationError naming the construct', () => {
    it.each([
      [
        ['Paged'],
        /^notifications\.on: unknown "Paged"; each must be one of AwaitingApproval, Blocked, WorkflowTripped, Failed$/,
      ],
      [['Failed', 'failed', 'Started'], /^notifications\.on: unknown "failed", "Started"; /],
      [[], /^notifications\.on is empty: name at least one of AwaitingApproval, Blocked, WorkflowTripped, Failed/],
    ])('on: %j', (on, message) => {
      const error = thrown(() => userStack((t) => ({ topic: t, on: on as NotificationKind[] })));
      expect(Errors.isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as { constructPath?: string }).constructPath).toBe('Team/Lockstep/Notifications');
    });

    it('a topic encrypted with the AWS managed key, which EventBridge cannot be let into', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Team');
      const topic = new Topic(stack, 'OnCall', { masterKey: Alias.fromAliasName(stack, 'Managed', 'alias/aws/sns') });
      const error = thrown(() => new Lockstep(stack, 'Lockstep', { notifications: { topic } }));
      expect(Errors.isValidationError(error)).toBe(true);
      expect((error as Error).message).toMatch(/alias\/aws\/sns.*customer managed KMS key/);
    });
  });

  it.each([
    ['environment-agnostic', undefined],
    ['with a concrete account and region', { account: '123456789012', region: 'eu-west-1' }],
  ])('is cdk-nag clean (AwsSolutions) with every notification on, %s', (_, env) => {
    const { app } = userStack((t) => ({ topic: t, on: all }), { bundle: true, ...(env && { env }) });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.find((r) => r.pluginName === 'AwsSolutions')).toMatchObject({
      conclusion: 'success',
      violations: [],
    });
  });
});
