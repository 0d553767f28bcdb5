// The processes `npm start` (test/support/npm-start.ts) leaves running, and how they end:
// shared by the loopback and signal tests (Linux: reads /proc and runs ps).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { NpmStart } from '../../support/npm-start.js';
import { until } from '../../support/wait.js';

/** Waits for the endpoint lines and returns the pid local mode printed for DynamoDB Local. */
export async function waitForEndpoints(run: NpmStart): Promise<{ javaPid: number; dynamodb: string; api: string }> {
  await until(
    () => (/Token: +\S+/.test(run.output()) ? true : undefined),
    90_000,
    `the endpoint lines\n${run.output()}`,
  );
  const output = run.output();
  return {
    javaPid: Number(/DynamoDB Local, pid (\d+)/.exec(output)?.[1]),
    dynamodb: /DynamoDB: +(http:\/\/\S+)/.exec(output)?.[1] ?? '',
    api: /API: +(http:\/\/\S+)/.exec(output)?.[1] ?? '',
  };
}

/** `pid` and all its descendants, found through their parent pids. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (child && parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (!isAlive(next)) continue;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/** Whether `pid` runs (a zombie waiting for a parent that never reaps it counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

/** Waits until none of `pids` runs; returns those still running after `boundMs`. */
export async function waitUntilGone(pids: number[], boundMs: number): Promise<number[]> {
  const alive = () => pids.filter(isAlive);
  await until(() => (alive().length === 0 ? true : undefined), boundMs, 'the processes to exit').catch(() => undefined);
  return alive();
}

/** After a test: kills what is left of the run (its group, and any of `pids` that left it), and waits for the output. */
export async function cleanUp(run: NpmStart, pids: number[]): Promise<void> {
  for (const target of [-run.child.pid!, ...pids.filter(isAlive)]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.race([run.drained, new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

export function describeProcesses(pids: number[]): string {
  return pids.map((pid) => `${pid}: ${commandLine(pid).join(' ').slice(0, 160)}`).join('\n');
}

/** Why this machine cannot give a process a private network namespace; undefined when it can. */
export function namespaceProblem(): string | undefined {
  const args = process.getuid?.() === 0 ? ['--net'] : ['--user', '--map-root-user', '--net'];
  const probe = spawnSync('unshare', [...args, 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.error) return probe.error.message;
  return probe.status === 0 ? undefined : probe.stderr.trim() || `unshare exited with ${probe.status}`;
}
