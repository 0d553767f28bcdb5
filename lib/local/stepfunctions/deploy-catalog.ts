import { join } from 'node:path';
import { CreateStateMachineCommand, InvalidDefinition, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowVersion } from '../../domain/workflow-version.js';
import { stateMachineName } from '../../workflows/catalog.js';
import { WorkflowFolderError } from '../../workflows/load-workflows.js';

/** The role the API requires; the local endpoint records it and never assumes it. */
const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/lockstep-local';

/**
 * Creates one state machine per workflow version that has a definition (its own, or the
 * stand-in for an existing state machine) through the Step Functions API, idempotent for
 * identical definitions; returns their ARNs by name. A definition valid for Step Functions
 * that local mode's interpreter cannot run (a retry wait beyond what it can time, say) is
 * refused naming the workflow and its folder, every such version at once.
 */
export async function deployCatalog(
  client: SFNClient,
  versions: readonly WorkflowVersion[],
  /** The definition as deployed: with each `${Name}` step resolved (local mode: to the step's local ARN). */
  definitionFor: (workflow: WorkflowVersion) => string = (workflow) => JSON.stringify(workflow.definition),
): Promise<Record<string, string>> {
  const arns: Record<string, string> = {};
  const problems: string[] = [];
  for (const workflow of versions) {
    if (!workflow.definition) continue;
    const name = stateMachineName(workflow);
    try {
      const out = await client.send(
        new CreateStateMachineCommand({
          name,
          definition: definitionFor(workflow),
          roleArn: LOCAL_ROLE_ARN,
          type: 'STANDARD',
        }),
      );
      arns[name] = out.stateMachineArn!;
    } catch (error) {
      if (!(error instanceof InvalidDefinition)) throw error;
      problems.push(
        `${join(workflow.folder, 'workflow.json')}: workflow ${workflow.id}@${workflow.version}: local mode cannot run its definition: ${error.message.replace(/^Invalid State Machine Definition: /, '')}`,
      );
    }
  }
  if (problems.length > 0) throw new WorkflowFolderError('loaded by local mode', problems);
  return arns;
}
