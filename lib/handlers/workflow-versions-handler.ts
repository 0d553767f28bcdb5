import { LockstepError } from '../domain/errors.js';
import type { VersionDigest } from '../domain/workflow-version.js';
import * as z from '../domain/zod.js';

/** The physical ids of the two deploy-time resources: they hold nothing to replace or delete. */
export const WORKFLOW_VERSIONS_RESOURCE_ID = {
  check: 'lockstep-workflow-versions-check',
  remember: 'lockstep-workflow-versions-remember',
  upgrade: 'lockstep-table-layout',
} as const;

const Stage = z.enum(['check', 'remember', 'upgrade']);

/** What the CDK construct puts in the custom resource's properties (cdk/constructs/workflow-versions-check.ts). */
const EventSchema = z.discriminatedUnion('RequestType', [
  z.object({ RequestType: z.literal('Delete'), ResourceProperties: z.object({ Stage }) }),
  z.object({
    RequestType: z.enum(['Create', 'Update']),
    ResourceProperties: z.object({
      Stage,
      Versions: z._default(z.array(z.object({ id: z.string(), version: z.string(), digest: z.string() })), []),
    }),
  }),
]);

/**
 * The CloudFormation custom resources (CDK Provider framework) that make a deploy refuse a
 * version whose content changed. `check`, before any state machine is touched: throws with
 * one line per changed version, which fails and rolls back the deploy. `remember`, once
 * every workflow is deployed: records the versions seen for the first time, so a deploy
 * that fails or rolls back remembers nothing. `upgrade`, once the functions of this version
 * run: gives items an earlier layout wrote the index keys of this one (see
 * index-backfill.ts). Delete remembers, and forgets, nothing.
 */
export function createWorkflowVersionsHandler(options: {
  check: (versions: readonly VersionDigest[]) => Promise<string[]>;
  remember: (versions: readonly VersionDigest[]) => Promise<string[]>;
  upgrade: () => Promise<unknown>;
}) {
  return async (event: unknown): Promise<{ PhysicalResourceId: string }> => {
    const request = EventSchema.parse(event);
    const stage = request.ResourceProperties.Stage;
    if (request.RequestType !== 'Delete' && stage === 'upgrade') await options.upgrade();
    else if (request.RequestType !== 'Delete' && stage !== 'upgrade') {
      const problems = await options[stage](request.ResourceProperties.Versions);
      if (problems.length > 0) throw new LockstepError(problems.join('\n'));
    }
    return { PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID[stage] };
  };
}
