import { type TargetView, targetView } from '../domain/target.js';
import { canonicalTargetResource } from '../domain/target-resource.js';
import type { Engine } from './engine.js';

/** A person clears a blocked target: the clearance is kept on the target and in the blocking execution's audit trail. */
export async function clearBlock(
  engine: Engine,
  input: { targetResource: string; clearedBy: string; onBehalfOf?: string; reason: string },
): Promise<TargetView> {
  const targetResource = canonicalTargetResource(input.targetResource, 'path.targetResource');
  const at = engine.clock.now();
  const target = await engine.store.clearBlock({
    targetResource,
    clearedBy: input.clearedBy,
    ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
    reason: input.reason,
    at,
  });
  engine.logger.info('block cleared', {
    targetResource,
    clearedBy: input.clearedBy,
    ...(input.onBehalfOf && { onBehalfOf: input.onBehalfOf }),
    reason: input.reason,
  });
  return targetView(target, at);
}
