import type { CloudFormationCustomResourceCreateEvent, CloudFormationCustomResourceDeleteEvent, CloudFormationCustomResourceUpdateEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { rememberWorkflowDigests } from '../../../lib/adapters/dynamodb/workflow-digests.js';
import { createWorkflowVersionsHandler, WORKFLOW_VERSIONS_RESOURCE_ID } from '../../../lib/handlers/workflow-versions-handler.js';
import { createTestStore } from '../../support/dynamodb.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Lockstep/1',
  RequestId: 'request',
  LogicalResourceId: 'WorkflowVersionsDCFCF28D',
  ResourceType: 'Custom::LockstepWorkflowVersions',
};
const create = (versions: unknown[]): CloudFormationCustomResourceCreateEvent => ({ ...common, RequestType: 'Create', ResourceProperties: { ServiceToken: common.ServiceToken, Versions: versions } });
const update = (versions: unknown[], old: unknown[]): CloudFormationCustomResourceUpdateEvent => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID,
  ResourceProperties: { ServiceToken: common.ServiceToken, Versions: versions },
  OldResourceProperties: { ServiceToken: common.ServiceToken, Versions: old },
});

/** The deploy-time check of immutability, with CloudFormation's own event shapes, on DynamoDB Local. */
describe('a deploy remembers each version and refuses changed content under a deployed version', () => {
  const setUp = async () => {
    const { client, tableName } = await createTestStore();
    return createWorkflowVersionsHandler({ remember: (versions) => rememberWorkflowDigests(client, tableName, versions) });
  };

  it('accepts a first deploy, the same versions again, and a new version beside the old', async () => {
    const handler = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    expect(await handler(create([v1]))).toEqual({ PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID });
    await expect(handler(update([v1], [v1]))).resolves.toEqual({ PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID });
    await expect(handler(update([v1, { id: 'scale', version: '2', digest: digest('b') }], [v1]))).resolves.toBeDefined();
  });

  it('fails the deploy naming each changed version and saying to publish a new one, and remembers nothing of that deploy', async () => {
    const handler = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    const other = { id: 'drain', version: '3', digest: digest('c') };
    await handler(create([v1, other]));
    const changed = { ...v1, digest: digest('d') };
    const fresh = { id: 'fresh', version: '1', digest: digest('e') };
    await expect(handler(update([changed, { ...other, digest: digest('f') }, fresh], [v1, other]))).rejects.toThrow(
      /^workflow scale version 1 was first seen with sha256:a{64}, and its content now has sha256:d{64}: a version never changes, so publish a new version.*\nworkflow drain version 3 was first seen/,
    );
    // The refused deploy rolled back; "fresh" was never deployed, so other content under its version is still new.
    await expect(handler(update([v1, other, { ...fresh, digest: digest('9') }], [v1, other]))).resolves.toBeDefined();
  });

  it('deletes nothing when the stack is deleted: a version deployed once keeps its digest', async () => {
    const handler = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    await handler(create([v1]));
    const deleted: CloudFormationCustomResourceDeleteEvent = { ...common, RequestType: 'Delete', PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID, ResourceProperties: { ServiceToken: common.ServiceToken, Versions: [v1] } };
    expect(await handler(deleted)).toEqual({ PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID });
    await expect(handler(create([{ ...v1, digest: digest('b') }]))).rejects.toThrow(/workflow scale version 1 was first seen/);
  });

  it('refuses an event that is not the construct’s', async () => {
    const handler = await setUp();
    await expect(handler(create([{ id: 'scale' }]))).rejects.toThrow();
    await expect(handler({ RequestType: 'Nonsense' })).rejects.toThrow();
  });
});
