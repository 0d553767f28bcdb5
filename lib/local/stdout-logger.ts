import { Logger, type LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * Local mode's Logger: Powertools' own, with every level on standard output, one stream as the
 * local mode guide (docs/local-mode.md) says. Powertools picks the console method by level, so
 * WARN and ERROR lines would go to standard error; on Lambda both streams reach CloudWatch,
 * locally a reader of standard output would miss exactly the lines that matter. The line itself (its `level` included) is
 * built by Powertools as before: only the stream changes.
 */
export class StdoutLogger extends Logger {
  protected override printLog(_logLevel: number, log: LogItem): void {
    super.printLog(LogLevelThreshold.INFO, log);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new StdoutLogger(options);
  }
}
