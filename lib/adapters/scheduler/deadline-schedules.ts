import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  type SchedulerClientConfig,
} from '@aws-sdk/client-scheduler';
import { DEADLINE_DETAIL_TYPE, DEADLINE_SOURCE, type DeadlineDetail } from '../../contract/events.js';
import type { DeadlineScheduler } from '../../ports/index.js';

export interface DeadlineSchedulesOptions {
  client: SchedulerClient;
  /** The schedule group the engine's deadline schedules live in. */
  groupName: string;
  /** The engine's event bus, where a firing schedule puts its deadline event, and the role Scheduler puts it with. */
  targetArn: string;
  roleArn: string;
}

/**
 * Deadlines on AWS: one EventBridge Scheduler one-time schedule per running execution with a
 * timeout, firing at its deadline (rounded up to the second, Scheduler's resolution). It puts
 * a `Lockstep Deadline` event on the engine's bus, which a rule delivers to the sweeper
 * function for that one execution (a bus, not the function itself, so that no function's
 * configuration has to name its own ARN). A schedule deletes itself after firing,
 * and is deleted when its execution ends first. Creating one that exists, or deleting one that
 * is gone, is not an error: the status events that lead here arrive at least once.
 */
export class DeadlineSchedules implements DeadlineScheduler {
  constructor(private readonly options: DeadlineSchedulesOptions) {}

  async schedule(executionId: string, at: Date): Promise<void> {
    const { client, groupName, targetArn, roleArn } = this.options;
    const whole = new Date(Math.ceil(at.getTime() / 1000) * 1000);
    const detail: DeadlineDetail = { deadlineOf: executionId };
    try {
      await client.send(
        new CreateScheduleCommand({
          Name: scheduleName(executionId),
          GroupName: groupName,
          ScheduleExpression: `at(${whole.toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: targetArn,
            RoleArn: roleArn,
            EventBridgeParameters: { DetailType: DEADLINE_DETAIL_TYPE, Source: DEADLINE_SOURCE },
            Input: JSON.stringify(detail),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async cancel(executionId: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(executionId), GroupName: this.options.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}

/** Schedule names are at most 64 of [0-9A-Za-z_.-]; execution ids fit. */
function scheduleName(executionId: string): string {
  return `deadline-${executionId}`;
}

/**
 * The runtime's `deadlineSchedules` part (lib/runtime/runtime.ts): the Scheduler client and the
 * adapter, for the functions that arm or disarm deadlines (status, sweeper) and nobody else.
 */
export function deadlineSchedules(
  clientConfig: SchedulerClientConfig,
  settings: Omit<DeadlineSchedulesOptions, 'client'>,
): { deadlines: DeadlineScheduler; destroy(): void } {
  const client = new SchedulerClient(clientConfig);
  return { deadlines: new DeadlineSchedules({ client, ...settings }), destroy: () => client.destroy() };
}
