// Which service calls a request makes, and how many of them happen one after another: SDK
// middleware on each of the engine's clients records every call with its start and end.

/** The part of an AWS SDK v3 client the trace needs (every client has it). */
interface TraceableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<{ output: unknown }>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<{ output: unknown }>,
      options: { step: 'initialize'; priority: 'high'; name: string },
    ): void;
  };
}

export interface TracedCall {
  service: string;
  command: string;
  startMs: number;
  endMs: number;
  failed: boolean;
  /** Answered by the benchmark, never sent (a service local mode has no endpoint for). */
  simulated?: boolean;
}

export class CallTrace {
  private calls: TracedCall[] = [];
  private recording = false;

  /**
   * Records the calls `client` makes while recording. With `answer`, calls are answered by it
   * and never sent: for a client whose service is not there (local mode has no Scheduler).
   */
  attach(client: unknown, service: string, answer?: (command: string) => unknown): this {
    (client as TraceableClient).middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        const startMs = performance.now();
        const record = (failed: boolean) =>
          this.recording &&
          this.calls.push({
            service,
            command,
            startMs,
            endMs: performance.now(),
            failed,
            ...(answer && { simulated: true }),
          });
        try {
          const result = answer ? { output: { $metadata: {}, ...(answer(command) as object) } } : await next(args);
          record(false);
          return result;
        } catch (error) {
          record(true);
          throw error;
        }
      },
      { step: 'initialize', priority: 'high', name: `benchCallTrace${service}` },
    );
    return this;
  }

  /** The calls made while `action` ran (nothing else may use the traced clients meanwhile). */
  async during<T>(action: () => Promise<T>): Promise<{ result: T; calls: TracedCall[] }> {
    this.calls = [];
    this.recording = true;
    try {
      const result = await action();
      return { result, calls: this.calls };
    } finally {
      this.recording = false;
      this.calls = [];
    }
  }
}

/**
 * How many calls happen one after another: calls whose times overlap count once (they run
 * side by side), so this is the number of round trips a caller waits for in a row.
 */
export function sequentialCalls(calls: readonly TracedCall[]): number {
  let steps = 0;
  let groupEnd = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.startMs - b.startMs)) {
    if (call.startMs >= groupEnd) steps++;
    groupEnd = Math.max(groupEnd, call.endMs);
  }
  return steps;
}

/** The calls as a reader wants them: `Service.Command (ms)`, in the order they started. */
export function describeCalls(
  calls: readonly TracedCall[],
): { call: string; startMs: number; durationMs: number; failed?: true; simulated?: true }[] {
  const sorted = [...calls].sort((a, b) => a.startMs - b.startMs);
  const origin = sorted[0]?.startMs ?? 0;
  return sorted.map((c) => ({
    call: `${c.service}.${c.command}`,
    startMs: Math.round((c.startMs - origin) * 100) / 100,
    durationMs: Math.round((c.endMs - c.startMs) * 100) / 100,
    ...(c.failed && { failed: true as const }),
    ...(c.simulated && { simulated: true as const }),
  }));
}
