/**
 * An Amazon States Language definition (JSONPath; no JSONata). The built-in workflows' own
 * live in `built-in/<id>/definition.asl.json`, read by the same loader as users' workflows.
 * Every workflow receives the input built by `workflowInput`: the execution snapshot with
 * `parameters` holding only the declared parameters, defaults applied.
 */
export type AslDefinition = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  Comment?: string;
  TimeoutSeconds?: number;
};

/** The resource of the ECS restart step: an AWS SDK service integration, no Lambda in between. */
export const ECS_UPDATE_SERVICE = 'arn:aws:states:::aws-sdk:ecs:updateService';
