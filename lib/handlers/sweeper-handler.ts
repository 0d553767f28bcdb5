import { sweep, type SweepReport } from '../use-cases/sweep.js';
import type { Engine } from '../use-cases/engine.js';

/** The scheduled sweep. Its report is logged; errors on single targets are in it, not thrown. */
export function createSweeperHandler(options: { engine: Engine }) {
  return async (): Promise<SweepReport> => {
    const report = await sweep(options.engine);
    options.engine.logger.info('sweep finished', { examined: report.examined, repairs: report.repairs, errors: report.errors });
    return report;
  };
}
