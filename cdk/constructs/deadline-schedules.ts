import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import type { DeadlineScheduleSettings } from '../../lib/contract/environment.js';

export interface DeadlineSchedulesProps {
  /** The engine's event bus, where firing schedules put their deadline events. */
  readonly bus: IEventBus;
}

/**
 * Where deadlines are enforced when they pass (lib/adapters/scheduler/deadline-schedules.ts):
 * a schedule group for the one-time schedules the engine creates, and the role EventBridge
 * Scheduler puts their events on the engine's bus with.
 */
export class DeadlineSchedules extends Construct {
  /** Where the engine creates its schedules, for the functions' environment. */
  readonly settings: DeadlineScheduleSettings;
  private readonly group: CfnScheduleGroup;
  private readonly role: Role;

  constructor(scope: Construct, id: string, props: DeadlineSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new CfnScheduleGroup(this, 'Group', {});
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler puts Lockstep deadline events on the engine bus',
    });
    props.bus.grantPutEventsTo(this.role);
    this.settings = { groupName: this.group.ref, targetArn: props.bus.eventBusArn, roleArn: this.role.roleArn };
  }

  /** Lets a function create and delete deadline schedules in the group, and hand them the role. */
  grantScheduling(grantee: IGrantable): void {
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.ref}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    this.role.grantPassRole(grantee.grantPrincipal);
  }
}
