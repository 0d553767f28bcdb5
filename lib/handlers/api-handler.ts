import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { SkippedAnswer, Workflow } from '../contract/api-objects.js';
import { CancelBodySchema, CLEARED_BY_REFUSED, IdempotencyKeySchema } from '../contract/api-schemas.js';
import {
  MAX_BODY_BYTES,
  pathPattern,
  ROUTES,
  type RouteDefinition,
  type RouteName,
  roleAllows,
} from '../contract/routes.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { Execution, ExecutionRecord } from '../domain/execution.js';
import type { CatalogWorkflow } from '../ports/index.js';
import { cancelExecution } from '../use-cases/cancel-execution.js';
import { clearBlock } from '../use-cases/clear-block.js';
import { decideApproval } from '../use-cases/decide-approval.js';
import type { Engine } from '../use-cases/engine.js';
import { getExecution } from '../use-cases/get-execution.js';
import { getSteps } from '../use-cases/get-steps.js';
import { getTarget } from '../use-cases/get-target.js';
import { listExecutions } from '../use-cases/list-executions.js';
import { listTargets } from '../use-cases/list-targets.js';
import { getWorkflow, listWorkflows } from '../use-cases/list-workflows.js';
import { admitAndStart, prepareRequest } from '../use-cases/request-execution.js';
import type { Authenticator, Caller } from './authenticators.js';
import { header } from './headers.js';
import { errorResponse, HttpError, jsonResponse } from './http-errors.js';
import { type AdmissionAnswer, idempotentAdmission } from './idempotent-admission.js';
import { checkQueryNames, parsePart, refusePrototypeNames } from './request-checks.js';

/** Outside Lambda (local mode) a request still has a deadline: API Gateway's 29 s integration timeout. */
const API_GATEWAY_DEADLINE_MS = 29_000;
const EXECUTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ApiHandlerOptions {
  engine: Engine;
  authenticate: Authenticator;
  idempotencyStore: BasePersistenceLayer;
  /** Receives the keys (execution, target, correlation) of the request being served, for every later log line. */
  appendLogKeys?: (keys: Record<string, string>) => void;
}

interface Call {
  event: APIGatewayProxyEvent;
  params: string[];
  /** The caller's identity: what every decision records. */
  principal: string;
  caller: Caller;
  context: Context | undefined;
}
type Implementation = (call: Call) => Promise<APIGatewayProxyResult>;

/**
 * The REST API of API.md over API Gateway v1 proxy events: the same function behind API
 * Gateway and behind local mode's HTTP server, routed by the one route table
 * (lib/contract/routes.ts). Routing, parsing and shaping only; every decision is a use case's.
 */
export function createApiHandler(
  options: ApiHandlerOptions,
): (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  const { engine } = options;
  const admitOnce = idempotentAdmission(engine, options.idempotencyStore, API_GATEWAY_DEADLINE_MS);

  const implementations: Record<RouteName, Implementation> = {
    health: async () => jsonResponse(200, { status: 'ok' }),
    identity: async ({ caller }) => jsonResponse(200, caller),
    requestExecution: async ({ event, principal, context }) => {
      const keyHeader = header(event, 'idempotency-key');
      const key =
        keyHeader === undefined ? undefined : parsePart(IdempotencyKeySchema, keyHeader, 'header Idempotency-Key');
      const body = parsePart(ROUTES.requestExecution.body.schema, jsonBody(event), 'body');
      const prepared = prepareRequest(engine, { ...body, requestedBy: principal, source: 'api' });
      const answer: AdmissionAnswer =
        key !== undefined
          ? await admitOnce(`api:${principal}:${key}`, prepared, context)
          : await admitAndStart(engine, prepared);
      const { execution } = answer.record;
      options.appendLogKeys?.({
        executionId: execution.id,
        targetResource: execution.targetResource,
        correlationId: execution.correlationId,
      });
      if (answer.kind !== 'skipped') return jsonResponse(201, execution);
      const retryAfter = execution.skipDetails?.retryAfterSeconds;
      return jsonResponse(
        409,
        skippedBody(execution),
        retryAfter !== undefined ? { 'retry-after': String(Math.max(1, retryAfter)) } : {},
      );
    },
    listExecutions: async ({ event }) =>
      jsonResponse(
        200,
        await listExecutions(
          engine,
          parsePart(ROUTES.listExecutions.query, event.queryStringParameters ?? {}, 'query'),
        ),
      ),
    getExecution: async ({ params }) =>
      jsonResponse(200, (await findExecution(engine, params[0]!, options.appendLogKeys)).execution),
    cancelExecution: async ({ event, params, principal }) => {
      const id = executionId(params[0]!);
      const body = bodyText(event).length === 0 ? {} : parsePart(CancelBodySchema, jsonBody(event), 'body');
      const { cancelled, record } = await cancelExecution(engine, {
        executionId: id,
        requestedBy: principal,
        ...(body.onBehalfOf && { onBehalfOf: body.onBehalfOf }),
      });
      if (!cancelled)
        throw new HttpError(
          409,
          'Conflict',
          `execution ${id} ended as ${record.execution.phase} before it could be cancelled`,
        );
      return jsonResponse(202, record.execution);
    },
    decideApproval: async ({ event, params, principal }) => {
      const id = executionId(params[0]!);
      const body = parsePart(ROUTES.decideApproval.body.schema, jsonBody(event), 'body');
      return jsonResponse(200, (await decideApproval(engine, { executionId: id, by: principal, ...body })).execution);
    },
    getExecutionEvents: async ({ params }) =>
      jsonResponse(200, { items: (await findExecution(engine, params[0]!, options.appendLogKeys)).events }),
    getExecutionSteps: async ({ params }) =>
      jsonResponse(200, { items: await getSteps(engine, executionId(params[0]!)) }),
    clearBlock: async ({ event, params, principal }) => {
      const raw = jsonBody(event);
      if (isObject(raw) && 'clearedBy' in raw)
        throw new ValidationError(CLEARED_BY_REFUSED, ['body.clearedBy: not accepted (use onBehalfOf)']);
      const { reason, onBehalfOf } = parsePart(ROUTES.clearBlock.body.schema, raw, 'body');
      const targetResource = decode(params[0]!);
      return jsonResponse(
        200,
        await clearBlock(engine, { targetResource, reason, clearedBy: principal, ...(onBehalfOf && { onBehalfOf }) }),
      );
    },
    listTargets: async ({ event }) =>
      jsonResponse(
        200,
        await listTargets(engine, parsePart(ROUTES.listTargets.query, event.queryStringParameters ?? {}, 'query')),
      ),
    getTarget: async ({ params }) => jsonResponse(200, await getTarget(engine, decode(params[0]!))),
    listWorkflows: async () => jsonResponse(200, { items: listWorkflows(engine).map(workflowView) }),
    getWorkflow: async ({ params }) =>
      jsonResponse(200, { items: getWorkflow(engine, decode(params[0]!)).map(workflowView) }),
  };
  const routes = (Object.entries(ROUTES) as [RouteName, RouteDefinition][]).map(([name, route]) => ({
    ...route,
    pattern: pathPattern(route.path),
    run: implementations[name],
  }));

  const respond = async (event: APIGatewayProxyEvent, context: Context | undefined): Promise<APIGatewayProxyResult> => {
    const requestId = event?.requestContext?.requestId || engine.newId();
    try {
      if (Buffer.byteLength(bodyText(event), 'utf8') > MAX_BODY_BYTES)
        throw new HttpError(413, 'PayloadTooLarge', `the body is larger than ${MAX_BODY_BYTES} bytes (256 KiB)`);
      refusePrototypeNames(event);
      const path = typeof event?.path === 'string' ? event.path : '';
      const matching = routes.filter((route) => route.pattern.test(path));
      if (matching.length === 0) throw new HttpError(404, 'NotFound', `no route for ${path || '(empty path)'}`);
      const method = event.httpMethod === 'HEAD' ? 'GET' : event.httpMethod;
      const route = matching.find((candidate) => candidate.method === method);
      if (!route) {
        const allowed = matching.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]));
        throw new HttpError(
          405,
          'MethodNotAllowed',
          `${event.httpMethod} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        );
      }
      const caller = route.role === 'none' ? ANONYMOUS : await options.authenticate(event);
      authorize(route, caller, event);
      // GET /health stays answerable with whatever a prober appends (a cache-buster, say).
      checkQueryNames(event, route.query !== undefined || route.role === 'none');
      const params = route.pattern.exec(path)!.slice(1);
      return await route.run({ event, params, principal: caller.identity, caller, context });
    } catch (error) {
      return errorResponse(error, requestId, engine.logger);
    }
  };

  // HEAD is GET without a body, on every GET route (health checks use it), whatever the status.
  return async (event, context) => {
    const response = await respond(event, context);
    return event?.httpMethod === 'HEAD' ? { ...response, body: '' } : response;
  };
}

const ANONYMOUS: Caller = { identity: 'anonymous', intermediary: false };

/**
 * The one access check (API.md, "Roles" and "Identity"), before any use case runs and before
 * anything is read: the route's role against the caller's (local mode; on AWS the caller has no
 * role, IAM refused it already), then `onBehalfOf`, which only an intermediary may send, in any
 * route's body.
 */
function authorize(route: RouteDefinition, caller: Caller, event: APIGatewayProxyEvent): void {
  if (route.role === 'none') return;
  const named = `${route.method} ${route.path}`;
  if (caller.role !== undefined && !roleAllows(caller.role, route.role))
    throw new HttpError(
      403,
      'Forbidden',
      `${route.role} role needed to ${named}; ${caller.identity} is ${/^[aeiou]/.test(caller.role) ? 'an' : 'a'} ${caller.role}`,
    );
  if (!caller.intermediary && hasOnBehalfOf(event))
    throw new HttpError(
      403,
      'Forbidden',
      `only an intermediary may send onBehalfOf; ${caller.identity} is not one, and its requests are recorded as its own`,
    );
}

/** Whether the body is a JSON object with an `onBehalfOf` key (a body that is not JSON is refused by its route). */
function hasOnBehalfOf(event: APIGatewayProxyEvent): boolean {
  // Parsed, not searched: JSON may spell the key with escapes (`"onBehalf\u004Ff"`).
  try {
    const body: unknown = JSON.parse(bodyText(event));
    return isObject(body) && Object.hasOwn(body, 'onBehalfOf');
  } catch {
    return false;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** API.md's Workflow object: every field absent where not declared; `runnableLocally` only where false (local mode). */
function workflowView(workflow: CatalogWorkflow): Workflow {
  const { steps, builtIn, runnableLocally, ...declared } = workflow;
  return {
    ...declared,
    ...(steps.length > 0 && { steps: steps.map((step) => step.name) }),
    runnableLocally: runnableLocally ?? true,
  };
}

/** A refused admission answers 409 with the Skipped execution, and an `error` whose code is the skip reason. */
function skippedBody(execution: Execution): SkippedAnswer {
  return {
    ...execution,
    error: {
      code: execution.skipDetails?.reason ?? 'Skipped',
      message: execution.skipDetails?.message ?? 'the execution was skipped',
    },
  };
}

async function findExecution(
  engine: Engine,
  raw: string,
  appendLogKeys?: (keys: Record<string, string>) => void,
): Promise<ExecutionRecord> {
  const id = executionId(raw);
  const record = await getExecution(engine, id);
  appendLogKeys?.({
    executionId: id,
    targetResource: record.execution.targetResource,
    correlationId: record.execution.correlationId,
  });
  return record;
}

/** An id that cannot exist is not looked up (and never reaches DynamoDB's key limits). */
function executionId(raw: string): string {
  const id = decode(raw);
  if (!EXECUTION_ID.test(id)) throw new NotFoundError(`execution ${id.slice(0, 128)} does not exist`);
  return id;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'ValidationError', 'the path is not valid percent-encoding');
  }
}

function bodyText(event: APIGatewayProxyEvent): string {
  const raw = typeof event.body === 'string' ? event.body : '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/** The JSON body: declared as JSON and parseable (its size was checked before routing). */
function jsonBody(event: APIGatewayProxyEvent): unknown {
  const text = bodyText(event);
  if (text.length === 0) throw new HttpError(400, 'ValidationError', 'a JSON body is required');
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType))
    throw new HttpError(415, 'UnsupportedMediaType', 'send the body as Content-Type: application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'ValidationError', 'the body is not valid JSON');
  }
}
