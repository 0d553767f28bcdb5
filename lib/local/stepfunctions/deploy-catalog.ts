import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { stateMachineName, type WorkflowCatalog } from '../../workflows/catalog.js';

/** Creates one state machine per catalog workflow through the Step Functions API (idempotent for identical definitions); returns their ARNs by name. */
export async function deployCatalog(client: SFNClient, catalog: WorkflowCatalog, roleArn = 'arn:aws:iam::000000000000:role/lockstep-local'): Promise<Record<string, string>> {
  const arns: Record<string, string> = {};
  for (const workflow of catalog.list()) {
    const name = stateMachineName(workflow);
    const out = await client.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(workflow.definition), roleArn, type: 'STANDARD' }));
    arns[name] = out.stateMachineArn!;
  }
  return arns;
}
