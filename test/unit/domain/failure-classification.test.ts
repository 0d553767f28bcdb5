import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureEvidence } from '../../../lib/domain/failure-classification.js';

type Row = [string, Partial<FailureEvidence>, string];

const RAN: Partial<FailureEvidence> = { status: 'FAILED', ran: true };

describe('failure classification', () => {
  it.each<Row>([
    ['States.Timeout', { ...RAN, error: 'States.Timeout' }, 'DeadlineExceeded'],
    ['a heartbeat timeout', { ...RAN, error: 'States.HeartbeatTimeout' }, 'DeadlineExceeded'],
    ['TIMED_OUT status without an error', { status: 'TIMED_OUT', ran: true }, 'DeadlineExceeded'],
    [
      'the engine stopping a run past its deadline',
      { status: 'ABORTED', ran: true, error: 'Lockstep.DeadlineExceeded' },
      'DeadlineExceeded',
    ],
    ['AccessDeniedException', { ...RAN, error: 'AccessDeniedException' }, 'Forbidden'],
    [
      '"is not authorized" in the cause',
      {
        ...RAN,
        error: 'States.TaskFailed',
        cause: 'User: arn:aws:sts::1:assumed-role/x is not authorized to perform: ecs:UpdateService',
      },
      'Forbidden',
    ],
    ['ThrottlingException', { ...RAN, error: 'ThrottlingException' }, 'ResourceExhausted'],
    ['Lambda.TooManyRequestsException', { ...RAN, error: 'Lambda.TooManyRequestsException' }, 'ResourceExhausted'],
    [
      'a quota in the cause',
      { ...RAN, error: 'Ecs.ClientException', cause: 'You have exceeded the quota for tasks' },
      'ResourceExhausted',
    ],
    ['ServiceQuotaExceededException', { ...RAN, error: 'ServiceQuotaExceededException' }, 'ResourceExhausted'],
    ['Runtime.OutOfMemory', { ...RAN, error: 'Runtime.OutOfMemory' }, 'OOMKilled'],
    [
      'a runtime killed by a signal',
      { ...RAN, error: 'Runtime.ExitError', cause: 'RequestId: 1 Error: Runtime exited with error: signal: killed' },
      'OOMKilled',
    ],
    [
      'a container that exited 137',
      {
        ...RAN,
        error: 'States.TaskFailed',
        cause: 'Essential container in task exited with exit code 137 (OutOfMemoryError)',
      },
      'OOMKilled',
    ],
    ['States.Runtime', { ...RAN, error: 'States.Runtime' }, 'ConfigurationError'],
    ['an invalid definition', { status: 'START_FAILED', ran: false, error: 'InvalidDefinition' }, 'ConfigurationError'],
    [
      'a missing state machine',
      { status: 'START_FAILED', ran: false, error: 'StateMachineDoesNotExist' },
      'ConfigurationError',
    ],
    ['invalid parameters', { ...RAN, error: 'Ecs.InvalidParameterException' }, 'ConfigurationError'],
    ['a missing local handler', { ...RAN, error: 'ResourceNotFoundException' }, 'ConfigurationError'],
    [
      'CannotPullContainerError',
      {
        ...RAN,
        error: 'States.TaskFailed',
        cause: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      },
      'ImagePullBackOff',
    ],
    ['ErrImagePull', { ...RAN, error: 'ErrImagePull' }, 'ImagePullBackOff'],
    [
      'any other task error',
      { ...RAN, error: 'PaymentsApi.HealthCheckFailed', cause: 'still unhealthy' },
      'TaskFailed',
    ],
    ['States.TaskFailed', { ...RAN, error: 'States.TaskFailed' }, 'TaskFailed'],
    ['no error at all', { ...RAN }, 'Unknown'],
  ])('classifies %s', (_label, evidence, reason) => {
    expect(classifyFailure({ status: 'FAILED', ran: true, ...evidence }).reason).toBe(reason);
  });

  it('calls it an execution failure only when a step ran', () => {
    expect(classifyFailure({ status: 'FAILED', ran: true, error: 'X' }).wasExecutionFailure).toBe(true);
    expect(classifyFailure({ status: 'FAILED', ran: false, error: 'States.Runtime' }).wasExecutionFailure).toBe(false);
    expect(classifyFailure({ status: 'START_FAILED', ran: false, error: 'AccessDeniedException' })).toMatchObject({
      reason: 'Forbidden',
      wasExecutionFailure: false,
    });
  });

  it('says what failed, where, and why', () => {
    const { message } = classifyFailure({
      status: 'FAILED',
      ran: true,
      error: 'States.TaskFailed',
      cause: 'boom',
      failedStep: 'Restart',
    });
    expect(message).toBe('the workflow failed in step Restart (States.TaskFailed: boom)');
  });
});
