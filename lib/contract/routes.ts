import * as z from '../domain/zod.js';
import {
  ApprovalBodySchema,
  ClearanceBodySchema,
  ExecutionRequestBodySchema,
  ListQuerySchema,
  TargetListQuerySchema,
} from './api-schemas.js';

/**
 * The one route table of API.md. The api function's router (lib/handlers/api-handler.ts) and the
 * API Gateway resources, methods and models (cdk/constructs/engine-api.ts) are both made
 * from it, so a route cannot exist in one and not the other.
 */
export interface RouteDefinition {
  readonly method: 'GET' | 'POST';
  /** A path template: `{name}` is one segment, `{name+}` any number of them (a target resource holds slashes). */
  readonly path: string;
  /**
   * The least role that may call it (API.md, "Roles"), declared once: the local role check and the
   * construct's IAM grants are both made from it. `none` only for `GET /health`; every other route
   * is AWS_IAM on AWS and bearer-token in local mode.
   */
  readonly role: Role | 'none';
  /** The JSON body, validated by API Gateway (as a model) and by the function (with the API's error body). */
  readonly body?: { readonly model: string; readonly schema: z.ZodMiniType };
  /** The query string's schema: its keys are the query parameters the gateway passes on. */
  readonly query?: z.ZodMiniObject;
  /** Request headers the route reads besides authentication. */
  readonly headers?: readonly string[];
}

/** API.md's roles, least first: each may do what the ones before it may. */
export const ROLES = ['reader', 'requester', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** Whether an identity with role `have` may call a route that needs `need`. */
export function roleAllows(have: Role, need: Role | 'none'): boolean {
  return need === 'none' || ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The largest request body any route takes (API.md: 413 beyond it). */
export const MAX_BODY_BYTES = 256 * 1024;

export const ROUTES = {
  health: { method: 'GET', path: '/health', role: 'none' },
  identity: { method: 'GET', path: '/identity', role: 'reader' },
  requestExecution: {
    method: 'POST',
    path: '/executions',
    role: 'requester',
    body: { model: 'ExecutionRequest', schema: ExecutionRequestBodySchema },
    headers: ['Idempotency-Key'],
  },
  listExecutions: { method: 'GET', path: '/executions', role: 'reader', query: ListQuerySchema },
  getExecution: { method: 'GET', path: '/executions/{id}', role: 'reader' },
  // Its body (CancelBodySchema) is optional, so it has no model: the function validates one when given.
  cancelExecution: { method: 'POST', path: '/executions/{id}/cancel', role: 'operator' },
  decideApproval: {
    method: 'POST',
    path: '/executions/{id}/approval',
    role: 'operator',
    body: { model: 'Approval', schema: ApprovalBodySchema },
  },
  getExecutionEvents: { method: 'GET', path: '/executions/{id}/events', role: 'reader' },
  getExecutionSteps: { method: 'GET', path: '/executions/{id}/steps', role: 'reader' },
  listTargets: { method: 'GET', path: '/targets', role: 'reader', query: TargetListQuerySchema },
  clearBlock: {
    method: 'POST',
    path: '/targets/{target+}/clearance',
    role: 'operator',
    body: { model: 'Clearance', schema: ClearanceBodySchema },
  },
  getTarget: { method: 'GET', path: '/targets/{target+}', role: 'reader' },
  listWorkflows: { method: 'GET', path: '/workflows', role: 'reader' },
  getWorkflow: { method: 'GET', path: '/workflows/{id}', role: 'reader' },
} as const satisfies Record<string, RouteDefinition>;

export type RouteName = keyof typeof ROUTES;

/**
 * The regular expression a path template matches, capturing its parameters in order.
 * Greedy `{name+}` captures across slashes; routes are tried in table order, so a longer
 * template (`/targets/{target+}/clearance`) stands before the shorter one it would shadow.
 */
export function pathPattern(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) =>
      segment.endsWith('+}')
        ? '(.+)'
        : segment.startsWith('{')
          ? '([^/]+)'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

/**
 * Where API Gateway attaches a route: its template cut after a greedy parameter, which must
 * be the last segment of a gateway resource. The function tells the routes under it apart.
 */
export function gatewayResourcePath(template: string): string {
  const segments = template.split('/');
  const greedy = segments.findIndex((segment) => segment.endsWith('+}'));
  return greedy === -1 ? template : segments.slice(0, greedy + 1).join('/');
}

/** A route's path with its parameters filled in, each URL-encoded (a target's slashes become %2F): what a client calls. */
export function routePath(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\+?\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${template} needs a value for ${name}`);
    return encodeURIComponent(value);
  });
}
