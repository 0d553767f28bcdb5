import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  ListExecutionsCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SfnDriver } from '../../../lib/adapters/stepfunctions/sfn-driver.js';
import { STATUS_CHANGE_DETAIL_TYPE, StatusChangeEventSchema } from '../../../lib/contract/events.js';
import { ExecutionNameTakenError } from '../../../lib/domain/errors.js';
import { createTestEngine, type TestEngine } from '../../support/engine.js';

describe('the local Step Functions endpoint speaks the Step Functions API', () => {
  let t: TestEngine;
  let failArn: string;
  beforeAll(async () => {
    t = await createTestEngine({ deliverEvents: false });
    failArn = t.engine.stateMachines.stateMachineArn({ id: 'fail', version: '1' });
  });
  afterAll(() => t.close());

  it('runs an execution and answers Describe, List and GetExecutionHistory like Step Functions', async () => {
    const { executionArn, startDate } = await t.sfnClient.send(
      new StartExecutionCommand({
        stateMachineArn: failArn,
        name: 'protocol-check',
        input: JSON.stringify({ parameters: { ERROR: 'Boom', CAUSE: 'why' } }),
      }),
    );
    expect(startDate).toBeInstanceOf(Date);
    await t.sfn.idle();

    const described = await t.sfnClient.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'Boom',
      cause: 'why',
      name: 'protocol-check',
      stateMachineArn: failArn,
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    const listed = await t.sfnClient.send(
      new ListExecutionsCommand({ stateMachineArn: failArn, statusFilter: 'FAILED' }),
    );
    expect(listed.executions?.map((e) => e.executionArn)).toContain(executionArn);
    const history = await t.sfnClient.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(await new SfnDriver(t.sfnClient).failureSite(executionArn!)).toEqual({ failedStep: 'Fail', ran: true });
  });

  it('emits exactly the status change events AWS emits, RUNNING then the terminal status', async () => {
    const { executionArn } = await t.sfnClient.send(
      new StartExecutionCommand({
        stateMachineArn: failArn,
        name: 'events-check',
        input: '{"parameters":{"ERROR":"E","CAUSE":"C"}}',
      }),
    );
    await t.sfn.idle();
    await t.flushEvents();

    const events = t.events.filter((e) => e.detail.executionArn === executionArn);
    expect(events.map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED']);
    for (const event of events) {
      expect(StatusChangeEventSchema.parse(event)).toEqual(event);
      expect(event).toMatchObject({
        source: 'aws.states',
        'detail-type': STATUS_CHANGE_DETAIL_TYPE,
        resources: [executionArn],
      });
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(events[0]!.detail).toMatchObject({ stopDate: null, output: null, error: null });
    expect(events[1]!.detail).toMatchObject({
      error: 'E',
      cause: 'C',
      input: '{"parameters":{"ERROR":"E","CAUSE":"C"}}',
    });
  });

  it('is idempotent for the same name and input while running, and refuses another input', async () => {
    const waitArn = t.engine.stateMachines.stateMachineArn({ id: 'wait', version: '1' });
    const driver = new SfnDriver(t.sfnClient);
    const input = '{"parameters":{"SECONDS":"600"}}';
    const first = await driver.start({ stateMachineArn: waitArn, name: 'same-name', input });
    const again = await driver.start({ stateMachineArn: waitArn, name: 'same-name', input });

    expect(again).toEqual(first);
    await expect(
      driver.start({ stateMachineArn: waitArn, name: 'same-name', input: '{"parameters":{"SECONDS":"1"}}' }),
    ).rejects.toBeInstanceOf(ExecutionNameTakenError);
    await driver.stop(first.executionArn, 'Test.Done', 'cleanup');
  });

  it('answers errors with the service error types', async () => {
    await expect(
      t.sfnClient.send(
        new DescribeExecutionCommand({ executionArn: `${failArn.replace(':stateMachine:', ':execution:')}:nope` }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      t.sfnClient.send(new StartExecutionCommand({ stateMachineArn: `${failArn}-gone` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      t.sfnClient.send(
        new CreateStateMachineCommand({
          name: 'broken',
          definition: '{"StartAt":"X","States":{}}',
          roleArn: 'arn:aws:iam::0:role/r',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidDefinition);
  });
});
