import { describe, expect, it } from 'vitest';
import { FAIL, NOOP, RESTART_ECS_SERVICE, WAIT } from '../../../lib/workflows/definitions.js';
import { BUILT_IN_DIR, loadBuiltInWorkflows, loadWorkflowCatalog } from '../../../lib/workflows/load-workflows.js';

describe('built-in workflows, read from folders by the same loader', () => {
  it('have exactly the definitions, ids and versions written in code before', () => {
    const builtIns = loadBuiltInWorkflows();
    expect(builtIns.map((w) => [w.id, w.version, w.builtIn])).toEqual([
      ['fail', '1', true],
      ['noop', '1', true],
      ['restart-ecs-service', '1', true],
      ['wait', '1', true],
    ]);
    const definitions = Object.fromEntries(builtIns.map((w) => [w.id, w.definition]));
    expect(definitions).toEqual({ noop: NOOP, wait: WAIT, fail: FAIL, 'restart-ecs-service': RESTART_ECS_SERVICE });
    expect(builtIns.every((w) => w.folder.startsWith(BUILT_IN_DIR) && w.steps.length === 0 && w.stateMachineArn === undefined)).toBe(true);
  });

  it('declare typed parameters: wait takes a whole number of seconds up to a day', () => {
    const byId = Object.fromEntries(loadBuiltInWorkflows().map((w) => [w.id, w.parameters]));
    expect(byId.wait).toEqual([{ name: 'SECONDS', description: 'How long to wait, in whole seconds (0 to 86400).', required: false, type: 'integer', minimum: 0, maximum: 86400, default: '1' }]);
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
    expect(loadBuiltInWorkflows().map((w) => w.digest)).toEqual(digests);
    expect(new Set(digests).size).toBe(4);
    digests.forEach((d) => expect(d).toMatch(/^sha256:[0-9a-f]{64}$/));
  });

  it('are the whole catalog when no user folder is given', () => {
    expect(loadWorkflowCatalog()).toEqual(loadBuiltInWorkflows());
  });
});
