import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  JsonSchemaVersion,
  type JsonSchema,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
  type IResource,
  type Method,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { z } from 'zod';
import { ClearanceBodySchema, ExecutionRequestBodySchema } from '../../lib/api/schemas.js';

/** An API Gateway model (JSON Schema draft 4) from a request body's zod schema. */
function modelSchema(schema: z.ZodType): JsonSchema {
  // CDK writes `$schema` itself, from `schema`.
  const rest = Object.entries(z.toJSONSchema(schema, { target: 'draft-4' })).filter(([key]) => key !== '$schema');
  return { schema: JsonSchemaVersion.DRAFT4, ...Object.fromEntries(rest) } as JsonSchema;
}

export interface EngineApiProps {
  readonly handler: IFunction;
  /** Steady-state requests per second per stage. Default: 50. */
  readonly throttlingRateLimit?: number;
  /** Default: 100. */
  readonly throttlingBurstLimit?: number;
}

/**
 * The REST API of API.md: every route AWS_IAM (SigV4) except `GET /health`, request
 * validation, stage throttling, access logs, all routes integrated with the one `api` function.
 * Targets live under a greedy `{target+}` so that URL-encoded slashes route correctly.
 */
export class EngineApi extends Construct {
  readonly api: RestApi;
  readonly methods: Method[] = [];

  constructor(scope: Construct, id: string, props: EngineApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const api = new RestApi(this, 'Api', {
      restApiName: 'lockstep',
      description: 'Lockstep: run workflow W against resource R, one at a time.',
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'v1',
        throttlingRateLimit: props.throttlingRateLimit ?? 50,
        throttlingBurstLimit: props.throttlingBurstLimit ?? 100,
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const integration = new LambdaIntegration(props.handler);
    const validator = api.addRequestValidator('Validator', { validateRequestBody: true, validateRequestParameters: true });
    // The gateway validates with the very schemas the api function enforces.
    const executionRequest = api.addModel('ExecutionRequest', { contentType: 'application/json', schema: modelSchema(ExecutionRequestBodySchema) });
    const clearance = api.addModel('Clearance', { contentType: 'application/json', schema: modelSchema(ClearanceBodySchema) });
    const add = (resource: IResource, method: string, options: { body?: typeof executionRequest; public?: boolean; params?: Record<string, boolean> } = {}) => {
      this.methods.push(
        resource.addMethod(method, integration, {
          authorizationType: options.public ? AuthorizationType.NONE : AuthorizationType.IAM,
          requestValidator: validator,
          ...(options.body && { requestModels: { 'application/json': options.body } }),
          ...(options.params && { requestParameters: options.params }),
        }),
      );
    };

    add(api.root.addResource('health'), 'GET', { public: true });
    const executions = api.root.addResource('executions');
    add(executions, 'POST', { body: executionRequest, params: { 'method.request.header.Idempotency-Key': false } });
    add(executions, 'GET', { params: { 'method.request.querystring.targetResource': true } });
    const execution = executions.addResource('{id}');
    add(execution, 'GET');
    add(execution.addResource('cancel'), 'POST');
    add(execution.addResource('events'), 'GET');
    // GET /targets/{targetResource} and POST /targets/{targetResource}/clearance; the function tells them apart.
    const target = api.root.addResource('targets').addResource('{target+}');
    add(target, 'GET');
    add(target, 'POST', { body: clearance });
    add(api.root.addResource('workflows'), 'GET');
    this.api = api;
  }
}
