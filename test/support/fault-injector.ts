import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';

export type FaultMode = 'before' | 'after';

/**
 * Records every DynamoDB, Step Functions and EventBridge call a client makes and, when armed, fails
 * one of them: `before` it reaches the service (nothing happened), or `after` the service
 * did it but before the caller sees the answer (a lost response). It sits above the SDK's
 * own retries, so the caller sees the failure exactly as a timeout would show it.
 */
export class FaultInjector {
  calls: string[] = [];
  /** When each recorded call was made and answered (performance.now()), to tell calls in sequence from calls in parallel. */
  spans: { call: string; start: number; end: number }[] = [];
  private armed: { index: number; mode: FaultMode } | undefined;
  private recording = false;

  attach(client: DynamoDBClient | SFNClient | EventBridgeClient, service: 'DynamoDB' | 'SFN' | 'EventBridge'): this {
    (client as DynamoDBClient).middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const index = this.calls.length;
        this.calls.push(`${service}.${String(context.commandName).replace(/Command$/, '')}`);
        const fault = this.armed?.index === index ? this.armed.mode : undefined;
        if (fault === 'before') throw lost(`injected: ${this.calls[index]} failed before reaching the service`);
        const span = { call: this.calls[index]!, start: performance.now(), end: Number.POSITIVE_INFINITY };
        this.spans.push(span);
        try {
          const result = await next(args);
          if (fault === 'after') throw lost(`injected: the response of ${this.calls[index]} was lost`);
          return result;
        } finally {
          span.end = performance.now();
        }
      },
      { step: 'initialize', name: 'faultInjector', priority: 'high' },
    );
    return this;
  }

  /** Counts (and, when `fault` is given, fails) the calls `act` makes. */
  async during<T>(
    act: () => Promise<T>,
    fault?: { index: number; mode: FaultMode },
  ): Promise<{ calls: string[]; result?: T; error?: unknown }> {
    this.calls = [];
    this.spans = [];
    this.armed = fault;
    this.recording = true;
    try {
      return { calls: this.calls, result: await act() };
    } catch (error) {
      return { calls: this.calls, error };
    } finally {
      this.recording = false;
      this.armed = undefined;
    }
  }
}

/** How many calls were made one after another: calls that overlap in time count once. */
export function sequentialCalls(spans: readonly { start: number; end: number }[]): number {
  let count = 0;
  let busyUntil = Number.NEGATIVE_INFINITY;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    if (span.start >= busyUntil) count++;
    busyUntil = Math.max(busyUntil, span.end);
  }
  return count;
}

/** What a timeout or a dropped connection looks like to the caller: no HTTP status, no service answer. */
function lost(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', $metadata: {} });
}
