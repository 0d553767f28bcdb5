import { sweep, type SweepReport } from '../use-cases/sweep.js';
import type { Engine } from '../use-cases/engine.js';

/** The scheduled sweep. Its report is logged; errors on single targets are in it, not thrown. */
export function createSweeperHandler(options: { engine: Engine }) {
  return async (): Promise<SweepReport> => {
    const report = await sweep(options.engine);
    const counts = new Map<string, number>();
    for (const { repair } of report.repairs) counts.set(repair, (counts.get(repair) ?? 0) + 1);
    for (const [repair, count] of counts) options.engine.metrics.sweepRepaired(repair, count);
    // One total, so that a single alarm watches every kind of repair.
    if (report.repairs.length > 0) options.engine.metrics.sweepRepaired('all', report.repairs.length);
    options.engine.logger.info('sweep finished', { examined: report.examined, repairs: report.repairs, errors: report.errors });
    return report;
  };
}
