import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { backfillIndexKeys } from '../../../lib/adapters/dynamodb/index-backfill.js';
import { checkWorkflowDigests, rememberWorkflowDigests } from '../../../lib/adapters/dynamodb/workflow-digests.js';
import {
  createWorkflowVersionsHandler,
  WORKFLOW_VERSIONS_RESOURCE_ID,
} from '../../../lib/handlers/workflow-versions-handler.js';
import { createTestStore } from '../../support/dynamodb.js';

type Stage = 'check' | 'remember';
type Version = { id: string; version: string; digest: string };
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const common = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Lockstep/1',
  RequestId: 'request',
  LogicalResourceId: 'WorkflowVersionsDCFCF28D',
  ResourceType: 'Custom::LockstepWorkflowVersions',
};
const props = (Stage: Stage, Versions: unknown[]) => ({ ServiceToken: common.ServiceToken, Stage, Versions });
const create = (stage: Stage, versions: unknown[]): CloudFormationCustomResourceCreateEvent => ({
  ...common,
  RequestType: 'Create',
  ResourceProperties: props(stage, versions),
});
const update = (stage: Stage, versions: unknown[], old: unknown[]): CloudFormationCustomResourceUpdateEvent => ({
  ...common,
  RequestType: 'Update',
  PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID[stage],
  ResourceProperties: props(stage, versions),
  OldResourceProperties: props(stage, old),
});

/** The deploy-time check of immutability, with CloudFormation's own event shapes, on DynamoDB Local. */
describe('a deploy checks each version before anything changes, and remembers it once deployed', () => {
  const setUp = async () => {
    const { client, tableName } = await createTestStore();
    const handler = createWorkflowVersionsHandler({
      check: (versions) => checkWorkflowDigests(client, tableName, versions),
      remember: (versions) => rememberWorkflowDigests(client, tableName, versions),
      upgrade: () => backfillIndexKeys(client, tableName),
    });
    /** A deploy that gets through: the check, the workflows, then the remembering. */
    const deploy = async (versions: Version[], old?: Version[]) => {
      await handler(old ? update('check', versions, old) : create('check', versions));
      return handler(old ? update('remember', versions, old) : create('remember', versions));
    };
    return { handler, deploy };
  };

  it('accepts a first deploy, the same versions again, and a new version beside the old', async () => {
    const { handler, deploy } = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    expect(await handler(create('check', [v1]))).toEqual({ PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID.check });
    expect(await handler(create('remember', [v1]))).toEqual({
      PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID.remember,
    });
    await expect(deploy([v1], [v1])).resolves.toBeDefined();
    await expect(deploy([v1, { id: 'scale', version: '2', digest: digest('b') }], [v1])).resolves.toBeDefined();
  });

  it('fails the deploy at the check, naming each changed version and saying to publish a new one', async () => {
    const { handler, deploy } = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    const other = { id: 'drain', version: '3', digest: digest('c') };
    await deploy([v1, other]);
    await expect(
      handler(
        update(
          'check',
          [
            { ...v1, digest: digest('d') },
            { ...other, digest: digest('f') },
          ],
          [v1, other],
        ),
      ),
    ).rejects.toThrow(
      /^workflow scale version 1 was first seen with sha256:a{64}, and its content now has sha256:d{64}: a version never changes, so publish a new version.*\nworkflow drain version 3 was first seen/,
    );
  });

  it('remembers nothing of a deploy that did not get past its workflows (it failed or rolled back before the remembering)', async () => {
    const { handler, deploy } = await setUp();
    const fresh = { id: 'fresh', version: '1', digest: digest('e') };
    // Checked, then a state machine failed to deploy: the remembering never ran.
    await handler(create('check', [fresh]));
    // The next deploy, with the content fixed under the same version, goes through.
    await expect(deploy([{ ...fresh, digest: digest('9') }])).resolves.toBeDefined();
    await expect(handler(create('check', [{ ...fresh, digest: digest('e') }]))).rejects.toThrow(
      /workflow fresh version 1 was first seen with sha256:9{64}/,
    );
  });

  it('deletes nothing when the stack is deleted: a version deployed once keeps its digest', async () => {
    const { handler, deploy } = await setUp();
    const v1 = { id: 'scale', version: '1', digest: digest('a') };
    await deploy([v1]);
    for (const stage of ['check', 'remember'] as const) {
      const deleted: CloudFormationCustomResourceDeleteEvent = {
        ...common,
        RequestType: 'Delete',
        PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID[stage],
        ResourceProperties: props(stage, [v1]),
      };
      expect(await handler(deleted)).toEqual({ PhysicalResourceId: WORKFLOW_VERSIONS_RESOURCE_ID[stage] });
    }
    await expect(handler(create('check', [{ ...v1, digest: digest('b') }]))).rejects.toThrow(
      /workflow scale version 1 was first seen/,
    );
  });

  it('refuses an event that is not the construct’s', async () => {
    const { handler } = await setUp();
    await expect(handler(create('check', [{ id: 'scale' }]))).rejects.toThrow();
    await expect(handler({ ...create('check', []), ResourceProperties: { Versions: [] } })).rejects.toThrow();
    await expect(handler({ RequestType: 'Nonsense' })).rejects.toThrow();
  });
});
