import { z } from 'zod';
import { LockstepError } from '../domain/errors.js';
import type { VersionDigest } from '../adapters/dynamodb/workflow-digests.js';

/** The one physical id of the deploy-time check: it holds nothing to replace or delete. */
export const WORKFLOW_VERSIONS_RESOURCE_ID = 'lockstep-workflow-versions';

/** What the CDK construct puts in the custom resource's properties (cdk/constructs/workflow-versions-check.ts). */
const EventSchema = z.discriminatedUnion('RequestType', [
  z.object({ RequestType: z.literal('Delete') }),
  z.object({
    RequestType: z.enum(['Create', 'Update']),
    ResourceProperties: z.object({ Versions: z.array(z.object({ id: z.string(), version: z.string(), digest: z.string() })) }),
  }),
]);

/**
 * The CloudFormation custom resource (CDK Provider framework) that makes a deploy refuse a
 * version whose content changed: on create and update it remembers the digests of the
 * deployed versions, or throws with one line per changed version, which fails the deploy
 * before any state machine is touched. Delete remembers, and forgets, nothing.
 */
export function createWorkflowVersionsHandler(options: { remember: (versions: readonly VersionDigest[]) => Promise<string[]> }) {
  return async (event: unknown): Promise<{ PhysicalResourceId: string }> => {
    const request = EventSchema.parse(event);
    if (request.RequestType !== 'Delete') {
      const problems = await options.remember(request.ResourceProperties.Versions);
      if (problems.length > 0) throw new LockstepError(problems.join('\n'));
    }
    return { PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID };
  };
}
