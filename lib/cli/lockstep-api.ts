import type { AuditEvent, Execution, Identity, Page, Step, Target, Workflow } from '../contract/api-objects.js';
import type { ApprovalBody, ExecutionRequestBody } from '../contract/api-schemas.js';
import { ROUTES, routePath } from '../contract/routes.js';
import { type ApiClient, type ApiResponse, apiErrorOf } from './api-client.js';

/** The most the API returns in one page. */
const MAX_PAGE = 100;

/** `POST /executions`: created (201), or refused with the Skipped execution (409; the body also carries `error`). */
export type RequestAnswer =
  | { created: true; execution: Execution }
  | { created: false; execution: Execution & { error?: unknown }; retryAfter?: string };

export type ExecutionListQuery = {
  targetResource?: string;
  phase?: string;
  since?: string;
  until?: string;
  workflowId?: string;
};

/**
 * The routes of API.md, one method each, over an `ApiClient` (bearer token or SigV4): each
 * returns the API's object as it came, or throws the API's error. Paths come from the one
 * route table (lib/contract/routes.ts), their segments URL-encoded (target resources hold slashes).
 */
export class LockstepApi {
  constructor(readonly client: ApiClient) {}

  async requestExecution(request: ExecutionRequestBody, idempotencyKey?: string): Promise<RequestAnswer> {
    const response = await this.client.request(
      ROUTES.requestExecution.method,
      ROUTES.requestExecution.path,
      request,
      idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
    );
    if (response.status === 201) return { created: true, execution: response.body };
    if (response.status === 409 && response.body?.phase === 'Skipped') {
      const retryAfter = response.headers.get('retry-after');
      return { created: false, execution: response.body, ...(retryAfter && { retryAfter }) };
    }
    throw apiErrorOf(response);
  }

  getExecution(id: string): Promise<Execution> {
    return this.get(routePath(ROUTES.getExecution.path, { id }));
  }

  events(id: string): Promise<Page<AuditEvent>> {
    return this.get(routePath(ROUTES.getExecutionEvents.path, { id }));
  }

  steps(id: string): Promise<Page<Step>> {
    return this.get(routePath(ROUTES.getExecutionSteps.path, { id }));
  }

  /** Without `onBehalfOf` no body is sent (the body is optional). */
  async cancel(id: string, onBehalfOf?: string): Promise<Execution> {
    return bodyOf(
      await this.client.request(
        ROUTES.cancelExecution.method,
        routePath(ROUTES.cancelExecution.path, { id }),
        onBehalfOf === undefined ? undefined : { onBehalfOf },
      ),
    );
  }

  /** `POST /executions/{id}/approval`: one approval decision, by the caller's identity. */
  async decide(id: string, decision: ApprovalBody): Promise<Execution> {
    return bodyOf(
      await this.client.request(ROUTES.decideApproval.method, routePath(ROUTES.decideApproval.path, { id }), decision),
    );
  }

  /** `GET /identity`: who the credentials say the caller is. */
  identity(): Promise<Identity> {
    return this.get(ROUTES.identity.path);
  }

  /** Up to `limit` executions, following `nextToken` page after page. */
  listExecutions(query: ExecutionListQuery, limit: number): Promise<Page<Execution>> {
    return this.collect(ROUTES.listExecutions.path, query, limit);
  }

  getTarget(targetResource: string): Promise<Target> {
    return this.get(routePath(ROUTES.getTarget.path, { target: targetResource }));
  }

  listTargets(state: string, limit: number): Promise<Page<Target>> {
    return this.collect(ROUTES.listTargets.path, { state }, limit);
  }

  /** The clearer is the caller's identity (API.md): the body has only the reason, and `onBehalfOf` for an intermediary. */
  async clearBlock(targetResource: string, clearance: { reason: string; onBehalfOf?: string }): Promise<Target> {
    return bodyOf(
      await this.client.request(
        ROUTES.clearBlock.method,
        routePath(ROUTES.clearBlock.path, { target: targetResource }),
        clearance,
      ),
    );
  }

  workflows(id?: string): Promise<Page<Workflow>> {
    return this.get(id === undefined ? ROUTES.listWorkflows.path : routePath(ROUTES.getWorkflow.path, { id }));
  }

  private async get<T>(path: string): Promise<T> {
    return bodyOf(await this.client.request('GET', path));
  }

  /** Pages of one query until `limit` items or the last page; the result has the API's shape, with the token for what is left. */
  private async collect<T>(path: string, query: Record<string, string | undefined>, limit: number): Promise<Page<T>> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, value);
      search.set('limit', String(Math.min(MAX_PAGE, limit - items.length)));
      if (nextToken !== undefined) search.set('nextToken', nextToken);
      const page = await this.get<Page<T>>(`${path}?${search}`);
      items.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken !== undefined && items.length < limit);
    return { items, ...(nextToken !== undefined && { nextToken }) };
  }
}

/** The object of a 2xx answer (API.md names each route's status), else the API's error. */
function bodyOf<T>(response: ApiResponse): T {
  if (response.status < 200 || response.status > 299) throw apiErrorOf(response);
  return response.body as T;
}
