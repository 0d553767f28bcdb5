/**
 * The built-in workflows' Amazon States Language definitions (JSONPath; no JSONata).
 * Every workflow receives the input built by `workflowInput`: the execution snapshot with
 * `parameters` holding only the declared parameters, defaults applied.
 */
export type AslDefinition = { StartAt: string; States: Record<string, Record<string, unknown>>; Comment?: string; TimeoutSeconds?: number };

export const NOOP: AslDefinition = {
  Comment: 'Diagnostic: succeeds at once.',
  StartAt: 'Done',
  States: { Done: { Type: 'Succeed' } },
};

export const WAIT: AslDefinition = {
  Comment: 'Diagnostic: waits SECONDS, then succeeds.',
  StartAt: 'ReadSeconds',
  States: {
    // Parameters are strings; Wait needs a number.
    ReadSeconds: { Type: 'Pass', Parameters: { 'seconds.$': 'States.StringToJson($.parameters.SECONDS)' }, ResultPath: '$.wait', Next: 'Wait' },
    Wait: { Type: 'Wait', SecondsPath: '$.wait.seconds', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

export const FAIL: AslDefinition = {
  Comment: 'Diagnostic: fails with error ERROR and cause CAUSE, to exercise every failure classification.',
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Next: 'Fail' },
    Fail: { Type: 'Fail', ErrorPath: '$.parameters.ERROR', CausePath: '$.parameters.CAUSE' },
  },
};

/** The resource of the ECS restart step: an AWS SDK service integration, no Lambda in between. */
export const ECS_UPDATE_SERVICE = 'arn:aws:states:::aws-sdk:ecs:updateService';

export const RESTART_ECS_SERVICE: AslDefinition = {
  Comment: 'Forces a new deployment of an ECS service, replacing its tasks (a rolling restart).',
  StartAt: 'ForceNewDeployment',
  States: {
    ForceNewDeployment: {
      Type: 'Task',
      Resource: ECS_UPDATE_SERVICE,
      Parameters: { 'Cluster.$': '$.parameters.CLUSTER', 'Service.$': '$.parameters.SERVICE', ForceNewDeployment: true },
      ResultSelector: { 'serviceArn.$': '$.Service.ServiceArn', 'deployments.$': '$.Service.Deployments' },
      ResultPath: '$.restart',
      Retry: [{ ErrorEquals: ['Ecs.ThrottlingException', 'Ecs.ServiceUnavailableException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: 'Done',
    },
    Done: { Type: 'Succeed', OutputPath: '$.restart' },
  },
};
