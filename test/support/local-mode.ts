import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../lib/domain/policies.js';
import { startLocalMode } from '../../lib/local/local-mode.js';
import type { Clock } from '../../lib/ports/index.js';
import { ManualClock } from './manual-clock.js';

export const TEST_TOKEN = 'test-token-0123456789';

/**
 * Local mode as `npm start` builds it, on the shared DynamoDB Local (own table), a free port,
 * and a clock the test drives (or `realClock`, for what only real time shows).
 */
export async function startTestLocalMode(
  policy: Partial<Policy> = {},
  options: { realClock?: Clock; sweepIntervalSeconds?: number; workflowsDir?: string; tokensFile?: string } = {},
) {
  const manual = new ManualClock();
  const clock: Clock & Partial<ManualClock> = options.realClock ?? manual;
  const metricLines: string[] = [];
  const tableName = `lockstep-test-${randomUUID()}`;
  const local = await startLocalMode(
    {
      port: 0,
      token: TEST_TOKEN,
      policy: { ...DEFAULT_POLICY, ...policy },
      sweepIntervalSeconds: options.sweepIntervalSeconds ?? 3600,
      stepFunctionsPort: 0,
      eventBridgePort: 0,
      ...(options.workflowsDir && { workflowsDir: options.workflowsDir }),
      ...(options.tokensFile && { tokensFile: options.tokensFile }),
      tableName,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
    },
    { clock, writeMetrics: (line) => metricLines.push(line) },
  );

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string>; token?: string | null } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TEST_TOKEN}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${local.urls.api}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Waits until executions and the events they caused have been handled, and their domain events published. */
  async function settle() {
    await local.stepFunctions.idle();
    await local.bus.idle();
    await local.streamReader.idle();
    await local.bus.idle();
  }

  /** The EMF lines written since `mark`, parsed. */
  function metricsSince(mark: number) {
    return metricLines.slice(mark).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  return { local, clock: manual, tableName, call, settle, metricLines, metricsSince };
}
export type TestLocalMode = Awaited<ReturnType<typeof startTestLocalMode>>;
