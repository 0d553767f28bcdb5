import type { Execution } from '../domain/execution.js';
import { canonicalTargetResource } from '../domain/target-resource.js';
import type { ListExecutionsInput, Page } from '../ports.js';
import type { Engine } from './engine.js';

/** One target's executions, newest first, a page at a time (the target in any spelling of it). */
export function listExecutions(engine: Engine, input: ListExecutionsInput): Promise<Page<Execution>> {
  return engine.store.listExecutions({ ...input, targetResource: canonicalTargetResource(input.targetResource) });
}
