import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';

export type FaultMode = 'before' | 'after';

/**
 * Records every DynamoDB and Step Functions call a client makes and, when armed, fails
 * one of them: `before` it reaches the service (nothing happened), or `after` the service
 * did it but before the caller sees the answer (a lost response). It sits above the SDK's
 * own retries, so the caller sees the failure exactly as a timeout would show it.
 */
export class FaultInjector {
  calls: string[] = [];
  private armed: { index: number; mode: FaultMode } | undefined;
  private recording = false;

  attach(client: DynamoDBClient | SFNClient, service: 'DynamoDB' | 'SFN'): this {
    (client as DynamoDBClient).middlewareStack.add(
      (next, context) => async (args) => {
        if (!this.recording) return next(args);
        const index = this.calls.length;
        this.calls.push(`${service}.${String(context.commandName).replace(/Command$/, '')}`);
        const fault = this.armed?.index === index ? this.armed.mode : undefined;
        if (fault === 'before') throw lost(`injected: ${this.calls[index]} failed before reaching the service`);
        const result = await next(args);
        if (fault === 'after') throw lost(`injected: the response of ${this.calls[index]} was lost`);
        return result;
      },
      { step: 'initialize', name: 'faultInjector', priority: 'high' },
    );
    return this;
  }

  /** Counts (and, when `fault` is given, fails) the calls `act` makes. */
  async during<T>(act: () => Promise<T>, fault?: { index: number; mode: FaultMode }): Promise<{ calls: string[]; result?: T; error?: unknown }> {
    this.calls = [];
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

/** What a timeout or a dropped connection looks like to the caller: no HTTP status, no service answer. */
function lost(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError', $metadata: {} });
}
