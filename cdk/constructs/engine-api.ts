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
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as z from 'zod';
import { gatewayResourcePath, ROUTES, type Role, type RouteDefinition, roleAllows } from '../../lib/contract/routes.js';
import { acknowledgeGrantWildcards } from '../nag-suppressions.js';
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
 * The `execute-api:Invoke` resources of a role (API.md, "Roles"): the method and path of every route
 * it may call, from the route table, each parameter (`{id}`, a greedy `{target+}`) a `*`. A GET
 * route is granted HEAD too: HEAD reaches the function through the resource's ANY method, and IAM
 * checks the request's own method.
 */
export function roleInvocations(role: Role): { method: string; path: string }[] {
  return (Object.values(ROUTES) as RouteDefinition[])
    .filter((route) => route.role !== 'none' && roleAllows(role, route.role))
    .flatMap((route) => {
      const path = route.path.replace(/\{\w+\+?\}/g, '*');
      return (route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]).map((method) => ({ method, path }));
    });
}

/**
 * The REST API of API.md, made from the route table (lib/contract/routes.ts): every route AWS_IAM
 * (SigV4) except `GET` and `HEAD /health`, request validation, stage throttling, access logs, all
 * routes integrated with the one `api` function. Targets live under a greedy `{target+}` so that
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
      // A public route (GET /health) is open for HEAD too, as health checks use it; it has nothing else.
      const methods = route.role === 'none' && route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
      for (const method of methods)
        this.methods.push(
          resourceAt(path === '/' ? '' : path).addMethod(method, integration, {
            authorizationType: route.role === 'none' ? AuthorizationType.NONE : AuthorizationType.IAM,
            requestValidator: validator,
            ...(model && { requestModels: { 'application/json': model } }),
            ...(Object.keys(params).length > 0 && { requestParameters: params }),
          }),
        );
    }
    // A method or path no route has reaches the function too, which answers 405 or 404 as API.md says (the
    // gateway itself would say 403 "Missing Authentication Token"), always signed (AWS_IAM). A public resource
    // has no ANY method and no path below it: anything but its routes is answered by the gateway, never
    // reaching the function without IAM (API.md, "Authentication").
    const publicPaths = new Set(
      (Object.values(ROUTES) as RouteDefinition[])
        .filter((r) => r.role === 'none')
        .map((r) => gatewayResourcePath(r.path)),
    );
    const anyMethod = (resource: IResource) =>
      this.methods.push(
        resource.addMethod('ANY', integration, {
          authorizationType: AuthorizationType.IAM,
          requestValidator: validator,
        }),
      );
    for (const [path, resource] of [...resources]) {
      if (publicPaths.has(path)) continue;
      anyMethod(resource);
      // Any deeper path too, wherever API Gateway allows a greedy child: not beside another parameter, not under a greedy one.
      const children = [...resources.keys()].filter(
        (other) => other.startsWith(`${path}/`) && !other.slice(path.length + 1).includes('/'),
      );
      if (!path.endsWith('+}') && !children.some((child) => child.slice(path.length + 1).startsWith('{'))) {
        anyMethod(resource.addResource('{proxy+}'));
      }
    }

    // What the gateway answers itself has the API's error body too (API.md, "Errors"). `message` is the
    // gateway's own words only where they describe the request (a body or parameter its model refuses,
    // throttling); elsewhere it is ours, so that no service's error text (an IAM denial names ARNs) reaches the caller.
    const gatewayError = (
      id: string,
      type: ResponseType,
      statusCode: string | undefined,
      code: string,
      message?: string,
    ) =>
      api.addGatewayResponse(id, {
        type,
        ...(statusCode && { statusCode }),
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: {
          'application/json': `{"error":{"code":"${code}","message":${message === undefined ? '$context.error.messageString' : JSON.stringify(message)},"requestId":"$context.requestId"}}`,
        },
      });
    gatewayError('BadBody', ResponseType.BAD_REQUEST_BODY, '400', 'ValidationError');
    gatewayError('BadParameters', ResponseType.BAD_REQUEST_PARAMETERS, '400', 'ValidationError');
    // Missing Authentication Token: every path and method but those of /health has a signed method, so this is a call
    // that is not signed, or a method on /health other than GET and HEAD (which the gateway cannot tell apart from an
    // unsigned call). Decided: 401 Unauthorized, the answer to the common case, saying both.
    gatewayError(
      'MissingToken',
      ResponseType.MISSING_AUTHENTICATION_TOKEN,
      '401',
      'Unauthorized',
      'missing credentials: sign the request with SigV4 (AWS_IAM); only GET and HEAD /health are open',
    );
    for (const [id, type] of [
      ['BadSignature', ResponseType.INVALID_SIGNATURE],
      ['ExpiredToken', ResponseType.EXPIRED_TOKEN],
      ['Unauthorized', ResponseType.UNAUTHORIZED],
    ] as const) {
      gatewayError(
        id,
        type,
        '401',
        'Unauthorized',
        'wrong or expired credentials: sign the request with SigV4 (AWS_IAM)',
      );
    }
    // IAM holds the roles: a signed call its identity was not granted (grantRead, grantRequest, grantOperate, grantAdmin).
    gatewayError(
      'AccessDenied',
      ResponseType.ACCESS_DENIED,
      '403',
      'Forbidden',
      "this identity may not call $context.httpMethod $context.resourcePath: it needs the route's role (reader, requester, operator or admin), granted with the Lockstep construct's grantRead, grantRequest, grantOperate or grantAdmin",
    );
    gatewayError(
      'TooLarge',
      ResponseType.REQUEST_TOO_LARGE,
      '413',
      'PayloadTooLarge',
      'the body is larger than API Gateway accepts',
    );
    gatewayError(
      'MediaType',
      ResponseType.UNSUPPORTED_MEDIA_TYPE,
      '415',
      'UnsupportedMediaType',
      'send the body as Content-Type: application/json',
    );
    gatewayError('Throttled', ResponseType.THROTTLED, '429', 'Throttled');
    // Any other refusal keeps the gateway's status; the code says only that the gateway refused it.
    gatewayError('Default4xx', ResponseType.DEFAULT_4XX, undefined, 'RequestRefused');
    gatewayError(
      'Default5xx',
      ResponseType.DEFAULT_5XX,
      '500',
      'InternalError',
      'internal error; request id $context.requestId',
    );
    this.api = api;
  }

  /**
   * Lets `grantee` call exactly what `role` may (API.md, "Roles"): `execute-api:Invoke` on each of its
   * routes' methods and paths on this API's stage, and nothing else. The path wildcards (execution
   * ids, target resources) are acknowledged for cdk-nag on the grantee, with why.
   */
  grantRole(grantee: IGrantable, role: Role): Grant {
    const stage = this.api.deploymentStage.stageName;
    const resourceArns = roleInvocations(role).map(({ method, path }) =>
      this.api.arnForExecuteApi(method, path, stage),
    );
    const grant = Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns });
    acknowledgeGrantWildcards(
      grantee,
      role,
      resourceArns.filter((arn) => arn.includes('*')),
    );
    return grant;
  }
}
