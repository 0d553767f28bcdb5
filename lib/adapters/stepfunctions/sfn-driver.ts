import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { ExecutionNameTakenError, WorkflowStartError } from '../../domain/errors.js';
import type { ExecutionDescription, StartWorkflowInput, WorkflowDriver } from '../../ports.js';

/**
 * Step Functions through the AWS SDK. Pointed at AWS, LocalStack or the engine's local
 * endpoint alike: only the client's endpoint differs.
 */
export class SfnDriver implements WorkflowDriver {
  constructor(private readonly client: SFNClient) {}

  async start({ stateMachineArn, name, input }: StartWorkflowInput): Promise<{ executionArn: string; startDate: Date }> {
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
      const page = await this.client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 100, nextToken }));
      const entered = page.events?.find((event) => event.stateEnteredEventDetails?.name);
      if (entered) return { failedStep: entered.stateEnteredEventDetails!.name!, ran: true };
      nextToken = page.nextToken;
    } while (nextToken);
    return { ran: false };
  }

  executionArn(stateMachineArn: string, name: string): string {
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}
