import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from './wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The local Step Functions and EventBridge endpoints on any free port: their default, PORT+1 and PORT+2, can be a
 * port another local mode started side by side has just taken.
 */
export const ANY_FREE_AWS_PORTS = { LOCKSTEP_STEPFUNCTIONS_PORT: '0', LOCKSTEP_EVENTBRIDGE_PORT: '0' };

/** `npm start` as a user or a service manager runs it: in a process group of its own. */
export interface NpmStart {
  child: ChildProcess;
  /** Everything npm and its children printed so far, standard output and error together. */
  output(): string;
  /** Settles once local mode has printed its endpoints (waits at most 90 s). */
  ready(): Promise<void>;
  /** Settles once every process holding the output pipes has let go. */
  drained: Promise<void>;
}

export function startNpmStart(env: Record<string, string>): NpmStart {
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const drained = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A function, not a promise made here: a run a test kills before its endpoints must not leave a rejection behind.
  const ready = () =>
    until(() => (/Token: +\S+/.test(output) ? true : undefined), 90_000, 'local mode to print its endpoints').then(
      () => undefined,
    );
  return { child, output: () => output, ready, drained };
}

/** Signals the whole process group (npm, local mode and DynamoDB Local's launcher). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
