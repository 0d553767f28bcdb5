import { type TargetView, targetView } from '../domain/target.js';
import type { ListTargetsInput, Page } from '../ports/index.js';
import type { Engine } from './engine.js';

/** The targets in one state now, a page at a time: a window's targets only while the window is open. */
export async function listTargets(engine: Engine, input: Omit<ListTargetsInput, 'at'>): Promise<Page<TargetView>> {
  const at = engine.clock.now();
  const page = await engine.store.listTargets({ ...input, at });
  return {
    items: page.items.map((target) => targetView(target, at)),
    ...(page.nextToken && { nextToken: page.nextToken }),
  };
}
