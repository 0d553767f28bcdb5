import { describe, expect, it } from 'vitest';
import { ECS_UPDATE_SERVICE } from '../../../lib/workflows/definitions.js';
import {
  BUILT_IN_DIR,
  loadBuiltInWorkflows,
  loadWorkflowCatalog,
  loadWorkflows,
} from '../../../lib/workflows/load-workflows.js';

describe('built-in workflows, read from folders by the same loader', () => {
  it('are the four diagnostic and remediation workflows, with their definitions', () => {
    const builtIns = loadBuiltInWorkflows();
    expect(builtIns.map((w) => [w.id, w.version, w.builtIn])).toEqual([
      ['fail', '1', true],
      ['noop', '1', true],
      ['restart-ecs-service', '1', true],
      ['wait', '1', true],
    ]);
    const definitions = Object.fromEntries(builtIns.map((w) => [w.id, w.definition!]));
    expect(definitions.noop).toMatchObject({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    expect(definitions.wait!.States).toMatchObject({ Wait: { Type: 'Wait', SecondsPath: '$.wait.seconds' } });
    expect(definitions.fail!.States).toMatchObject({
      Fail: { Type: 'Fail', ErrorPath: '$.parameters.ERROR', CausePath: '$.parameters.CAUSE' },
    });
    expect(definitions['restart-ecs-service']!.States).toMatchObject({
      ForceNewDeployment: { Type: 'Task', Resource: ECS_UPDATE_SERVICE },
    });
    expect(
      builtIns.every(
        (w) => w.folder.startsWith(BUILT_IN_DIR) && w.steps.length === 0 && w.stateMachineArn === undefined,
      ),
    ).toBe(true);
  });

  it('declare typed parameters: wait takes a whole number of seconds up to a day', () => {
    const byId = Object.fromEntries(loadBuiltInWorkflows().map((w) => [w.id, w.parameters]));
    expect(byId.wait).toEqual([
      {
        name: 'SECONDS',
        description: 'How long to wait, in whole seconds (0 to 86400).',
        required: false,
        type: 'integer',
        minimum: 0,
        maximum: 86400,
        default: '1',
      },
    ]);
    expect(byId.fail!.map((p) => [p.name, p.type, p.default])).toEqual([
      ['ERROR', 'string', 'TaskFailed'],
      ['CAUSE', 'string', 'failed on request'],
    ]);
    expect(byId['restart-ecs-service']!.map((p) => [p.name, p.type, p.required])).toEqual([
      ['CLUSTER', 'string', true],
      ['SERVICE', 'string', true],
      ['REASON', 'string', false],
    ]);
  });

  it('have stable digests', () => {
    const digests = loadBuiltInWorkflows().map((w) => w.digest);
    // A fresh read of the folders (loadBuiltInWorkflows keeps its first).
    expect(loadWorkflows(BUILT_IN_DIR, { builtIn: true }).map((w) => w.digest)).toEqual(digests);
    expect(new Set(digests).size).toBe(4);
    digests.forEach((d) => expect(d).toMatch(/^sha256:[0-9a-f]{64}$/));
  });

  it('are the whole catalog when no user folder is given', () => {
    expect(loadWorkflowCatalog()).toEqual(loadBuiltInWorkflows());
  });
});
