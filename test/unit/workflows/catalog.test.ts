import { describe, expect, it } from 'vitest';
import { UnknownWorkflowError } from '../../../lib/domain/errors.js';
import { BUILT_IN_WORKFLOWS, WorkflowCatalog, stateMachineName } from '../../../lib/workflows/catalog.js';
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

  it('refuses a parameter default that breaks its own rules', () => {
    expect(() => new WorkflowCatalog([{ id: 'w', version: '1', description: 'd', definition: NOOP, parameters: [{ name: 'N', required: false, description: 'n', type: 'integer', default: 'ten' }] }])).toThrow(/must be a whole number/);
  });

  it('gives each workflow version its own valid state machine name', () => {
    const names = catalog.list().map(stateMachineName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
