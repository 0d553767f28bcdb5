import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IResource,
  type JsonSchema,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  MethodLoggingLevel,
  type Model,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod';
import { gatewayResourcePath, ROUTES, type RouteDefinition } from '../../lib/contract/routes.js';
import { validationError } from './validation-error.js';

/** An API Gateway model (JSON Schema draft 4) from a request body's zod schema. */
function modelSchema(schema: z.core.$ZodType): JsonSchema {
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
 * The REST API of API.md, made from the route table (lib/contract/routes.ts): every route AWS_IAM
 * (SigV4) except `GET /health`, request validation, stage throttling, access logs, all routes
 * integrated with the one `api` function. Targets live under a greedy `{target+}` so that
 * URL-encoded slashes route correctly.
 */
export class EngineApi extends Construct {
  readonly api: RestApi;
  readonly methods: Method[] = [];

  constructor(scope: Construct, id: string, props: EngineApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
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
    // One permission for the whole API rather than two per method: the function's resource policy stays far below its 20 KB limit.
    const integration = new LambdaIntegration(props.handler, { scopePermissionToMethod: false });
    const validator = api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const models = new Map<string, Model>();
    const resources = new Map<string, IResource>([['', api.root]]);
    const resourceAt = (path: string): IResource => {
      const known = resources.get(path);
      if (known) return known;
      const parent = resourceAt(path.slice(0, path.lastIndexOf('/')));
      const resource = parent.addResource(path.slice(path.lastIndexOf('/') + 1));
      resources.set(path, resource);
      return resource;
    };
    const attached = new Set<string>();
    // Every route of the one route table, as the function routes them.
    for (const route of Object.values(ROUTES) as RouteDefinition[]) {
      const path = gatewayResourcePath(route.path);
      const key = `${route.method} ${path}`;
      if (attached.has(key))
        throw validationError(
          'LockstepRouteClash',
          `two routes of lib/contract/routes.ts meet at ${key} in API Gateway`,
          this,
        );
      attached.add(key);
      // The gateway validates with the very schemas the api function enforces.
      const model =
        route.body &&
        (models.get(route.body.model) ??
          api.addModel(route.body.model, { contentType: 'application/json', schema: modelSchema(route.body.schema) }));
      if (route.body && model) models.set(route.body.model, model);
      // Query parameters and headers are passed on, never required here: the function refuses with the API's own error body.
      const params = {
        ...Object.fromEntries(
          Object.keys(route.query?.shape ?? {}).map((name) => [`method.request.querystring.${name}`, false]),
        ),
        ...Object.fromEntries((route.headers ?? []).map((name) => [`method.request.header.${name}`, false])),
      };
      this.methods.push(
        resourceAt(path === '/' ? '' : path).addMethod(route.method, integration, {
          authorizationType: route.role === 'none' ? AuthorizationType.NONE : AuthorizationType.IAM,
          requestValidator: validator,
          ...(model && { requestModels: { 'application/json': model } }),
          ...(Object.keys(params).length > 0 && { requestParameters: params }),
        }),
      );
    }
    // A method or path no route has reaches the function too, which answers 405 or 404 as API.md says (the
    // gateway itself would say 403 "Missing Authentication Token"). Signed like the routes; open on a public resource.
    const publicPaths = new Set(
      (Object.values(ROUTES) as RouteDefinition[])
        .filter((r) => r.role === 'none')
        .map((r) => gatewayResourcePath(r.path)),
    );
    const anyMethod = (resource: IResource, path: string) =>
      this.methods.push(
        resource.addMethod('ANY', integration, {
          authorizationType: publicPaths.has(path) ? AuthorizationType.NONE : AuthorizationType.IAM,
          requestValidator: validator,
        }),
      );
    for (const [path, resource] of [...resources]) {
      anyMethod(resource, path);
      // Any deeper path too, wherever API Gateway allows a greedy child: not beside another parameter, not under a greedy one.
      const children = [...resources.keys()].filter(
        (other) => other.startsWith(`${path}/`) && !other.slice(path.length + 1).includes('/'),
      );
      if (!path.endsWith('+}') && !children.some((child) => child.slice(path.length + 1).startsWith('{'))) {
        anyMethod(resource.addResource('{proxy+}'), publicPaths.has(path) ? path : `${path}/{proxy+}`);
      }
    }

    // What the gateway answers itself (a signature it refuses, a body its model refuses) has the API's error body too.
    const gatewayError = (id: string, type: ResponseType, statusCode: string, code: string) =>
      api.addGatewayResponse(id, {
        type,
        statusCode,
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: {
          'application/json': `{"error":{"code":"${code}","message":$context.error.messageString,"requestId":"$context.requestId"}}`,
        },
      });
    gatewayError('BadBody', ResponseType.BAD_REQUEST_BODY, '400', 'ValidationError');
    gatewayError('BadParameters', ResponseType.BAD_REQUEST_PARAMETERS, '400', 'ValidationError');
    // Missing Authentication Token: now only a call that is not signed (every path and method has a method).
    for (const [id, type] of [
      ['MissingToken', ResponseType.MISSING_AUTHENTICATION_TOKEN],
      ['BadSignature', ResponseType.INVALID_SIGNATURE],
      ['ExpiredToken', ResponseType.EXPIRED_TOKEN],
      ['AccessDenied', ResponseType.ACCESS_DENIED],
    ] as const) {
      gatewayError(id, type, '401', 'Unauthorized');
    }
    gatewayError('Throttled', ResponseType.THROTTLED, '429', 'Throttled');
    gatewayError('Default5xx', ResponseType.DEFAULT_5XX, '500', 'InternalError');
    this.api = api;
  }
}
