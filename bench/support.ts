// What every part of the benchmark shares: progress lines, statistics, a bounded wait, a pool
// of concurrent tasks, memory readings, and the api handler's POST /executions as an event.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** One progress line on standard error (standard output carries only the summary). */
export const say = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

export const round = (n: number): number => Math.round(n * 100) / 100;

/** The nearest-rank percentile; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
}
export const median = (samples: readonly number[]): number => percentile(samples, 50);

export interface Distribution {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}
export const distribution = (samples: readonly number[]): Distribution => ({
  count: samples.length,
  p50Ms: median(samples),
  p90Ms: percentile(samples, 90),
  p99Ms: percentile(samples, 99),
});

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error naming `what` once `ms` have passed: no wait of the benchmark is unbounded. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) =>
          (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `everyMs` until it holds, for at most `ms`. */
export async function until(
  ms: number,
  what: string,
  check: () => Promise<boolean> | boolean,
  everyMs = 50,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${ms / 1000} s`);
    await sleep(everyMs);
  }
}

/** `count` tasks, at most `concurrency` at a time; results in task order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

// A full collection before each memory reading, without a flag on the command line: a context
// created after --expose-gc is set has `gc`. When that fails, readings are taken without it.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (() => void) | undefined;
export const garbageCollectionAvailable = collectGarbage !== undefined;
const MIB = 1024 * 1024;

/** Resident memory and heap of this process, after a full collection where available. */
export function residentMemory(): { rssMiB: number; heapUsedMiB: number } {
  collectGarbage?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMiB: round(rss / MIB), heapUsedMiB: round(heapUsed / MIB) };
}
export const rssMiB = (): number => round(process.memoryUsage().rss / MIB);

export const BENCH_TOKEN = 'bench';
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** POST /executions as API Gateway hands it to the api function (bearer token of local mode's authenticator). */
export function postExecution(
  api: ApiHandler,
  body: Record<string, unknown>,
  options: { requestId: string; idempotencyKey?: string },
): Promise<APIGatewayProxyResult> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${BENCH_TOKEN}`,
    'content-type': 'application/json',
    ...(options.idempotencyKey && { 'idempotency-key': options.idempotencyKey }),
  };
  const event = {
    httpMethod: 'POST',
    path: '/executions',
    headers,
    body: JSON.stringify(body),
    requestContext: { requestId: options.requestId },
  };
  return api(event as unknown as APIGatewayProxyEvent);
}
