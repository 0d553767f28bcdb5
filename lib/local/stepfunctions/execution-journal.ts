import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FinishedStatus } from './run-status.js';

/** In the data folder: every execution name local Step Functions started, so that a restart never runs one again. */
export const JOURNAL_FILE = 'stepfunctions-journal.jsonl';

/** A run as the journal knows it: its start, and its end once it ended. */
export interface JournaledRun {
  executionArn: string;
  stateMachineArn: string;
  input: string;
  startDate: Date;
  end?: JournaledEnd;
}

export interface JournaledEnd {
  status: FinishedStatus;
  stopDate: Date;
  error?: string;
  cause?: string;
  /** The last state entered by a run that did not succeed: where it failed. */
  lastState?: { name: string; type: string };
}

type Line =
  | { started: string; stateMachineArn: string; input: string; at: number }
  | {
      ended: string;
      status: FinishedStatus;
      at: number;
      error?: string;
      cause?: string;
      lastState?: { name: string; type: string };
    }
  | { forgot: string };

/** Below this many lines the journal is never rewritten; above it, once it holds twice the runs it tells of. */
const MIN_LINES_BEFORE_COMPACTION = 256;

/**
 * An append-only file of JSON lines: `started` (fsynced before the run starts), `ended` and
 * `forgot`. Rewritten whole (a new file, fsynced, renamed over the old) when it is opened and
 * whenever it holds more than twice the lines its runs need, so it stays the size of the
 * window of runs it is kept for. A line torn by a crash can only be the last one, written
 * by a start that therefore never ran: it is dropped.
 */
export class ExecutionJournal {
  private fd: number | undefined;
  private lines = 0;

  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  /** The runs of the journal: those that ended in the order they ended, then those that had not, in the order they started. */
  read(): JournaledRun[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const runs = new Map<string, JournaledRun>();
    const ended: JournaledRun[] = [];
    const lines = text.split('\n');
    for (const [i, text] of lines.entries()) {
      if (text === '') continue;
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch (error) {
        if (i === lines.length - 1) break; // torn by a crash mid-write: that start never ran
        throw new Error(`${this.file} line ${i + 1} is not JSON: the journal of local Step Functions is damaged`, {
          cause: error,
        });
      }
      if ('started' in line) {
        runs.set(line.started, {
          executionArn: line.started,
          stateMachineArn: line.stateMachineArn,
          input: line.input,
          startDate: new Date(line.at),
        });
      } else if ('ended' in line) {
        const run = runs.get(line.ended);
        if (!run || run.end) continue;
        run.end = {
          status: line.status,
          stopDate: new Date(line.at),
          ...(line.error !== undefined && { error: line.error }),
          ...(line.cause !== undefined && { cause: line.cause }),
          ...(line.lastState && { lastState: line.lastState }),
        };
        ended.push(run);
      } else {
        runs.delete(line.forgot);
      }
    }
    const kept = ended.filter((run) => runs.get(run.executionArn) === run);
    return [...kept, ...[...runs.values()].filter((run) => !run.end)];
  }

  /** Replaces the journal with these runs (in the order `read` gives them back). */
  rewrite(runs: Iterable<JournaledRun>): void {
    const temporary = `${this.file}.new`;
    const fd = openSync(temporary, 'w');
    let count = 0;
    try {
      const chunk: string[] = [];
      for (const run of runs) {
        chunk.push(...linesOf(run).map((line) => JSON.stringify(line)));
        count++;
        if (chunk.length >= 1000) writeSync(fd, `${chunk.splice(0).join('\n')}\n`);
      }
      if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.fd !== undefined) closeSync(this.fd);
    renameSync(temporary, this.file);
    syncDirectory(dirname(this.file));
    this.fd = openSync(this.file, 'a');
    this.lines = 2 * count;
  }

  /** Durable before it returns: the run may start. */
  started(run: Omit<JournaledRun, 'end'>): void {
    this.append({
      started: run.executionArn,
      stateMachineArn: run.stateMachineArn,
      input: run.input,
      at: run.startDate.getTime(),
    });
  }

  ended(executionArn: string, end: JournaledEnd): void {
    this.append({ ended: executionArn, ...endLine(end) });
  }

  forgot(executionArn: string): void {
    this.append({ forgot: executionArn });
  }

  /** Whether the journal holds more than twice the lines `runs` runs need: time to `rewrite` it. */
  wantsCompaction(runs: number): boolean {
    return this.lines > Math.max(MIN_LINES_BEFORE_COMPACTION, 4 * runs);
  }

  /** Stops writing (shutdown): what ends after this is told, at the next start, as cut short by the restart. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: Line): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.fd);
    this.lines++;
  }
}

function endLine(end: JournaledEnd) {
  return {
    status: end.status,
    at: end.stopDate.getTime(),
    ...(end.error !== undefined && { error: end.error }),
    ...(end.cause !== undefined && { cause: end.cause }),
    ...(end.lastState && { lastState: end.lastState }),
  };
}

function linesOf(run: JournaledRun): Line[] {
  const started: Line = {
    started: run.executionArn,
    stateMachineArn: run.stateMachineArn,
    input: run.input,
    at: run.startDate.getTime(),
  };
  return run.end ? [started, { ended: run.executionArn, ...endLine(run.end) }] : [started];
}

/** Makes a rename durable (the directory entry), where the platform can. */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform opens or syncs a directory (Windows): the rename is then as durable as it gets.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
