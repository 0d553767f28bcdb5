import { LockstepError } from '../domain/errors.js';
import type { CatalogWorkflow, StateMachineDirectory } from '../ports/index.js';
import { stateMachineName } from './catalog.js';

/** State machine ARNs by state machine name (the CDK app passes them to the functions; local mode creates them). */
export class StateMachineArns implements StateMachineDirectory {
  constructor(private readonly arnsByName: Readonly<Record<string, string>>) {}

  stateMachineArn(workflow: Pick<CatalogWorkflow, 'id' | 'version'>): string {
    const name = stateMachineName(workflow);
    const arn = this.arnsByName[name];
    if (!arn)
      throw new LockstepError(
        `no state machine is deployed for workflow ${workflow.id} version ${workflow.version} (${name})`,
      );
    return arn;
  }
}
