import { ValidationError } from '../domain/errors.js';
import type { Execution } from '../domain/execution.js';
import type { Phase } from '../domain/phase.js';
import { canonicalTargetResource } from '../domain/target-resource.js';
import type { Page } from '../ports/index.js';
import type { Engine } from './engine.js';

/** The widest time window a listing across targets may ask for. */
const MAX_WINDOW_DAYS = 31;
/** How far a caller's clock may be from the engine's when it asks for the last 31 days. */
const CLOCK_SKEW_MS = 60_000;

export interface ExecutionsQuery {
  targetResource?: string;
  phase?: Phase;
  /** RFC 3339 UTC; across targets, the window [since, until) (until defaults to now). */
  since?: string;
  until?: string;
  workflowId?: string;
  limit: number;
  nextToken?: string;
}

/**
 * Executions, a page at a time: one target's, newest first (the target in any spelling of
 * it); across targets, the active ones (phase AwaitingApproval, Pending or Running, no window), or those
 * created in a window of at most 31 days, newest first. Each costs in proportion to what it
 * returns, never to history.
 */
export function listExecutions(engine: Engine, query: ExecutionsQuery): Promise<Page<Execution>> {
  const { targetResource, phase, since, workflowId, limit, nextToken } = query;
  const paging = { limit, ...(nextToken && { nextToken }) };
  if (targetResource !== undefined)
    return engine.store.listExecutions({
      targetResource: canonicalTargetResource(targetResource, 'query.targetResource'),
      ...(phase && { phase }),
      ...paging,
    });
  if (since === undefined) {
    if (phase !== 'AwaitingApproval' && phase !== 'Pending' && phase !== 'Running')
      throw new ValidationError(
        'since is required across targets unless phase is AwaitingApproval, Pending or Running',
        ['query.since: is required'],
      );
    return engine.store.listActiveExecutions({ phase, ...(workflowId && { workflowId }), ...paging });
  }
  const until = query.until ?? engine.clock.now().toISOString();
  const width = Date.parse(until) - Date.parse(since);
  if (width <= 0)
    throw new ValidationError(`the window is empty: since ${since} is not before until ${until}`, [
      'query.since: must be before until',
    ]);
  // Up to now, `since` was computed on the caller's clock a moment earlier (`lockstep ls --since 31d`): that moment is allowed.
  const allowed = MAX_WINDOW_DAYS * 86_400_000 + (query.until === undefined ? CLOCK_SKEW_MS : 0);
  if (width > allowed) {
    throw new ValidationError(
      `the window is ${(width / 86_400_000).toFixed(2)} days wide, more than ${MAX_WINDOW_DAYS}`,
      [`query.since: the window may be at most ${MAX_WINDOW_DAYS} days`],
    );
  }
  return engine.store.listExecutionsCreated({
    since,
    ...(query.until && { until }),
    ...(phase && { phase }),
    ...(workflowId && { workflowId }),
    ...paging,
  });
}
