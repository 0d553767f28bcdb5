import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { until } from './wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `npm start` in its own process group, as a user starts it; `ready` once it has printed its endpoints. */
export function startNpmStart(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
} {
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const ready = until(
    () => (/Token: +\S+/.test(output) ? true : undefined),
    90_000,
    'local mode to print its endpoints',
  ).then(() => undefined);
  return { child, output: () => output, ready };
}

/** Signals the whole process group (npm, local mode and DynamoDB Local's launcher). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
