import { EventField, type IEventBus, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  DOMAIN_EVENT_SOURCE,
  DomainEventType,
  TARGET_BLOCKED_DETAIL_TYPE,
  WORKFLOW_TRIPPED_DETAIL_TYPE,
} from '../../lib/contract/events.js';
import { validationError } from './validation-error.js';

/** The events a team can be told of (API.md, Events: Notifications). */
export const NOTIFICATION_KINDS = ['AwaitingApproval', 'Blocked', 'WorkflowTripped', 'Failed'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** What someone must act on; `Failed` is opt-in, since the `FailedExecutions` alarm already covers failures. */
export const DEFAULT_NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'AwaitingApproval',
  'Blocked',
  'WorkflowTripped',
];

/** The `Lockstep` construct's `notifications` property. */
export interface LockstepNotificationsOptions {
  /**
   * Where the messages go. EventBridge publishes to it: a topic this app creates gets the topic policy (and, with a
   * customer managed KMS key, the key policy) for `events.amazonaws.com`; an imported topic needs both set where it
   * is defined. A topic encrypted with the AWS managed key `alias/aws/sns` cannot be used: its key policy cannot be
   * changed to let EventBridge in.
   */
  readonly topic: ITopic;
  /** Which events. Default: `AwaitingApproval`, `Blocked`, `WorkflowTripped`. */
  readonly on?: readonly NotificationKind[];
}

export interface NotificationsProps extends LockstepNotificationsOptions {
  /** The engine's bus, where the events are published. */
  readonly bus: IEventBus;
}

/** A field of the event's detail, substituted by EventBridge (a path the detail lacks becomes empty text). */
const detail = (path: string) => EventField.fromPath(`$.detail.${path}`);
const execution = {
  id: detail('id'),
  target: detail('targetResource'),
  workflow: `${detail('workflowId')} v${detail('workflowVersion')}`,
};
const decide = `Approve: lockstep approve ${execution.id}   Reject: lockstep reject ${execution.id} --comment WHY`;

interface NotificationRule {
  /** The rule's construct id (never changed once deployed). */
  readonly id: string;
  readonly kind: NotificationKind;
  readonly detailType: string;
  /** Only whole details (false) or only truncated ones (true, TruncatedDetail in lib/domain/domain-events.ts); default both. */
  readonly truncated?: boolean;
  readonly message: string;
}

/*
 * The messages. Only fields of the event's detail that name what happened (target, workflow, version, reasons, ids,
 * times), never an execution's `parameters` (a caller may pass a secret as one, and a topic's subscribers are often
 * a wider audience than the API's readers), nor a message or cause text from a step, nor anything outside the detail:
 * no token or credential can reach a subscriber. The target is written in single quotes in each command so that a
 * target holding shell characters (an alert label can put any there) is not expanded by a shell it is pasted into.
 */
const RULES: readonly NotificationRule[] = [
  {
    id: 'AwaitingApproval',
    kind: 'AwaitingApproval',
    detailType: DomainEventType.AwaitingApproval,
    truncated: false,
    message: `Lockstep: ${execution.workflow} on '${execution.target}' awaits approval (execution ${execution.id}, needed by ${detail('approval.requiredBy')}). ${decide}`,
  },
  {
    // A detail too large for the bus keeps no `approval`: the message points at the whole execution instead.
    id: 'AwaitingApprovalTruncated',
    kind: 'AwaitingApproval',
    detailType: DomainEventType.AwaitingApproval,
    truncated: true,
    message: `Lockstep: ${execution.workflow} on '${execution.target}' awaits approval (execution ${execution.id}; its deadline: lockstep get ${execution.id}). ${decide}`,
  },
  {
    id: 'Failed',
    kind: 'Failed',
    detailType: DomainEventType.Failed,
    message: `Lockstep: ${execution.workflow} on '${execution.target}' failed: ${detail('failureDetails.reason')} (execution ${execution.id}). Why: lockstep get ${execution.id}`,
  },
  {
    id: 'Blocked',
    kind: 'Blocked',
    detailType: TARGET_BLOCKED_DETAIL_TYPE,
    message: `Lockstep: '${detail('targetResource')}' is blocked (${detail('blockReason')}): no workflow runs on it until someone clears it. What happened: lockstep target '${detail('targetResource')}'   Once fixed: lockstep clear '${detail('targetResource')}' --reason WHY`,
  },
  {
    id: 'WorkflowTripped',
    kind: 'WorkflowTripped',
    detailType: WORKFLOW_TRIPPED_DETAIL_TYPE,
    message: `Lockstep: workflow ${detail('id')} tripped its breaker (${detail('guard.tripReason')}): no new run of it starts until someone resets it. Once fixed: lockstep reset ${detail('id')} --reason WHY`,
  },
];

/**
 * The notifications: one EventBridge rule on the engine's bus per event kind (source `lockstep`, its detail type),
 * each turning the event into a short readable message (an input transformer) on the team's SNS topic. The message
 * is a JSON string, as EventBridge delivers a text template. EventBridge retries a failed delivery for 24 hours.
 */
export class Notifications extends Construct {
  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const kinds = this.kindsOf(props.on);
    const key = props.topic.masterKey;
    if (key && 'aliasName' in key && key.aliasName === 'alias/aws/sns')
      throw validationError(
        'LockstepNotificationsKey',
        'notifications: the topic is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot let EventBridge publish; use a customer managed KMS key',
        this,
      );
    const target = (message: string) => new SnsTopic(props.topic, { message: RuleTargetInput.fromText(message) });
    for (const rule of RULES.filter((r) => kinds.has(r.kind))) {
      new Rule(this, rule.id, {
        description: `${rule.detailType}${rule.truncated ? ' (truncated detail)' : ''} → the notifications topic`,
        eventBus: props.bus,
        eventPattern: {
          source: [DOMAIN_EVENT_SOURCE],
          detailType: [rule.detailType],
          ...(rule.truncated !== undefined && {
            detail: { truncated: rule.truncated ? [true] : Match.doesNotExist() },
          }),
        },
        targets: [target(rule.message)],
      });
    }
  }

  private kindsOf(on: readonly NotificationKind[] | undefined): ReadonlySet<NotificationKind> {
    if (on === undefined) return new Set(DEFAULT_NOTIFICATION_KINDS);
    const known = (kind: unknown): kind is NotificationKind =>
      (NOTIFICATION_KINDS as readonly unknown[]).includes(kind);
    const unknown = on.filter((kind) => !known(kind));
    if (unknown.length > 0)
      throw validationError(
        'LockstepNotificationsKinds',
        `notifications.on: unknown ${unknown.map((k) => JSON.stringify(k)).join(', ')}; each must be one of ${NOTIFICATION_KINDS.join(', ')}`,
        this,
      );
    if (on.length === 0)
      throw validationError(
        'LockstepNotificationsKinds',
        `notifications.on is empty: name at least one of ${NOTIFICATION_KINDS.join(', ')}, or leave notifications out`,
        this,
      );
    return new Set(on);
  }
}
