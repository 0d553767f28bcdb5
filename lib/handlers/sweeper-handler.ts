import { AwaitingApprovalEventSchema, DeadlineEventSchema } from '../contract/events.js';
import { ALL_REPAIRS } from '../contract/metrics.js';
import { enforceDeadlineOf } from '../use-cases/enforce-deadline.js';
import type { Engine } from '../use-cases/engine.js';
import { type SweepReport, sweep } from '../use-cases/sweep.js';

/**
 * The scheduled sweep, the deadline of one execution when its schedule fires, and an
 * execution now awaiting approval (its expiry is armed at `requiredBy`, or applied when that
 * has passed). The sweep's report is logged; errors on single targets are in it, not thrown.
 */
export function createSweeperHandler(options: { engine: Engine }) {
  return async (event?: unknown): Promise<SweepReport | { deadlineOf: string; next?: string }> => {
    const deadline = DeadlineEventSchema.safeParse(event);
    if (deadline.success) {
      const { deadlineOf } = deadline.data.detail;
      const check = await enforceDeadlineOf(options.engine, deadlineOf);
      return { deadlineOf, ...(check?.kind === 'not-due' && { next: check.at.toISOString() }) };
    }
    const awaiting = AwaitingApprovalEventSchema.safeParse(event);
    if (awaiting.success) {
      const deadlineOf = awaiting.data.detail.id;
      const check = await enforceDeadlineOf(options.engine, deadlineOf);
      return { deadlineOf, ...(check?.kind === 'not-due' && { next: check.at.toISOString() }) };
    }
    const report = await sweep(options.engine);
    const counts = new Map<string, number>();
    for (const { repair } of report.repairs) counts.set(repair, (counts.get(repair) ?? 0) + 1);
    for (const [repair, count] of counts) options.engine.metrics.sweepRepaired(repair, count);
    // One total, so that a single alarm watches every kind of repair.
    if (report.repairs.length > 0) options.engine.metrics.sweepRepaired(ALL_REPAIRS, report.repairs.length);
    options.engine.logger.info('sweep finished', {
      examined: report.examined,
      repairs: report.repairs,
      errors: report.errors,
    });
    return report;
  };
}
