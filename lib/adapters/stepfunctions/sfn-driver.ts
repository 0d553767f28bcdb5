import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ExecutionNameTakenError, WorkflowStartError } from '../../domain/errors.js';
import type { HistoryEntry } from '../../domain/steps.js';
import type { ExecutionDescription, StartWorkflowInput, WorkflowDriver } from '../../ports/index.js';

/**
 * Step Functions through the AWS SDK. Pointed at AWS, LocalStack or the engine's local
 * endpoint alike: only the client's endpoint differs.
 */
export class SfnDriver implements WorkflowDriver {
  constructor(private readonly client: SFNClient) {}

  async start({
    stateMachineArn,
    name,
    input,
  }: StartWorkflowInput): Promise<{ executionArn: string; startDate: Date }> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input }));
      return { executionArn: out.executionArn!, startDate: out.startDate! };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) throw new ExecutionNameTakenError(error.message, { cause: error });
      // Only an answer from the service is definitive. A network error or timeout leaves the
      // outcome unknown: the caller keeps the execution Pending and the sweeper retries.
      if (!(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode) throw error;
      const { name: code, message } = error as Error;
      throw new WorkflowStartError(code, message, { cause: error });
    }
  }

  async describe(executionArn: string): Promise<ExecutionDescription | undefined> {
    try {
      const out = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn: out.executionArn!,
        stateMachineArn: out.stateMachineArn!,
        name: out.name!,
        status: out.status!,
        startDate: out.startDate!,
        ...(out.stopDate && { stopDate: out.stopDate }),
        ...(out.input !== undefined && { input: out.input }),
        ...(out.output !== undefined && { output: out.output }),
        ...(out.error !== undefined && { error: out.error }),
        ...(out.cause !== undefined && { cause: out.cause }),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  async stop(executionArn: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(new StopExecutionCommand({ executionArn, error, cause }));
    } catch (failure) {
      // Nothing to stop: the outcome is read from DescribeExecution or the status event.
      if (!(failure instanceof ExecutionDoesNotExist)) throw failure;
    }
  }

  async failureSite(executionArn: string): Promise<{ failedStep?: string; ran: boolean }> {
    let nextToken: string | undefined;
    do {
      // Newest first: the first state entered on the way back is the one the execution failed in.
      const page = await this.client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken }),
      );
      const entered = page.events?.find((event) => event.stateEnteredEventDetails?.name);
      if (entered) return { failedStep: entered.stateEnteredEventDetails!.name!, ran: true };
      nextToken = page.nextToken;
    } while (nextToken);
    return { ran: false };
  }

  async history(executionArn: string): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }),
        );
        for (const event of page.events ?? []) entries.push(historyEntry(event));
        nextToken = page.nextToken;
      } while (nextToken);
    } catch (failure) {
      if (failure instanceof ExecutionDoesNotExist) return [];
      throw failure;
    }
    return entries;
  }

  executionArn(stateMachineArn: string, name: string): string {
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}

/** The parts of a history event steps are made of: its place in the history, type, time, state name, and error and cause wherever the event holds them. */
function historyEntry(event: HistoryEvent): HistoryEntry {
  const details = Object.entries(event).find(
    ([key, value]) => key.endsWith('EventDetails') && value !== undefined,
  )?.[1] as { name?: string; error?: string; cause?: string } | undefined;
  return {
    ...(event.id !== undefined && { id: event.id }),
    ...(event.previousEventId !== undefined && { previousEventId: event.previousEventId }),
    type: String(event.type),
    at: (event.timestamp ?? new Date(0)).toISOString(),
    ...(details?.name !== undefined && { name: details.name }),
    ...(details?.error !== undefined && { error: details.error }),
    ...(details?.cause !== undefined && { cause: details.cause }),
  };
}
