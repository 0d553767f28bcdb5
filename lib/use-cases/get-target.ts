import { type TargetView, targetView } from '../domain/target.js';
import { canonicalTargetResource } from '../domain/target-resource.js';
import type { Engine } from './engine.js';

/** A target as it stands now (an unknown target is Idle), with the time left in its window. */
export async function getTarget(engine: Engine, targetResource: string): Promise<TargetView> {
  return targetView(
    await engine.store.getTarget(canonicalTargetResource(targetResource, 'path.targetResource')),
    engine.clock.now(),
  );
}
