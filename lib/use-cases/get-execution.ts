import { NotFoundError } from '../domain/errors.js';
import type { ExecutionRecord } from '../domain/execution.js';
import type { Engine } from './engine.js';

/** One execution with its audit events, in the order they happened; NotFound when it never existed. */
export async function getExecution(engine: Engine, executionId: string): Promise<ExecutionRecord> {
  const record = await engine.store.getExecution(executionId);
  if (!record) throw new NotFoundError(`execution ${executionId} does not exist`);
  return record;
}
