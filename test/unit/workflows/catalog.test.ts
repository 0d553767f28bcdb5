import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/domain/errors.js';
import { BUILT_IN_WORKFLOWS, UnknownWorkflowError, WorkflowCatalog, effectiveParameters, stateMachineName } from '../../../lib/workflows/catalog.js';
import { NOOP } from '../../../lib/workflows/definitions.js';

describe('workflow catalog', () => {
  const catalog = new WorkflowCatalog([
    ...BUILT_IN_WORKFLOWS,
    { id: 'noop', version: '2', description: 'v2', parameters: [], definition: NOOP },
    { id: 'noop', version: '10', description: 'v10', parameters: [], definition: NOOP },
  ]);

  it('always has the diagnostic workflows', () => {
    expect(new WorkflowCatalog().list().map((w) => w.id)).toEqual(expect.arrayContaining(['noop', 'wait', 'fail']));
  });

  it('resolves a missing version to the latest, comparing versions as numbers', () => {
    expect(catalog.resolve('noop').version).toBe('10');
    expect(catalog.resolve('noop', '2').description).toBe('v2');
  });

  it('names what is unknown', () => {
    expect(() => catalog.resolve('reboot')).toThrow(UnknownWorkflowError);
    expect(() => catalog.resolve('reboot')).toThrow(/known: noop, wait, fail/);
    expect(() => catalog.resolve('noop', '3')).toThrow(/no version "3"; known: 1, 2, 10/);
  });

  it('refuses a catalog with a workflow version defined twice', () => {
    expect(() => new WorkflowCatalog([BUILT_IN_WORKFLOWS[0]!, BUILT_IN_WORKFLOWS[0]!])).toThrow(/defined twice/);
  });

  it('passes declared parameters with defaults, reports undeclared ones, and requires required ones', () => {
    const fail = catalog.resolve('fail');
    expect(effectiveParameters(fail, { CAUSE: 'c', EXTRA: 'x' })).toEqual({ parameters: { ERROR: 'TaskFailed', CAUSE: 'c' }, ignored: ['EXTRA'] });
    expect(() => effectiveParameters(catalog.resolve('restart-ecs-service'), { CLUSTER: 'c' })).toThrow(ValidationError);
    expect(() => effectiveParameters(catalog.resolve('restart-ecs-service'), { CLUSTER: 'c' })).toThrow(/requires parameter\(s\) SERVICE/);
  });

  it('gives each workflow version its own valid state machine name', () => {
    const names = catalog.list().map(stateMachineName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
