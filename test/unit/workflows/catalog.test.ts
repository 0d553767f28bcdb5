import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UnknownWorkflowError } from '../../../lib/domain/errors.js';
import {
  catalogEntry,
  catalogFileContent,
  InMemoryWorkflowCatalog,
  localCatalog,
  readCatalogFile,
  stateMachineName,
  stepFunctionName,
} from '../../../lib/workflows/catalog.js';
import { loadBuiltInWorkflows } from '../../../lib/workflows/load-workflows.js';

describe('workflow catalog', () => {
  const builtIns = loadBuiltInWorkflows();
  const noop = builtIns.find((w) => w.id === 'noop')!;
  const catalog = localCatalog([
    ...builtIns,
    { ...noop, version: '2', description: 'v2' },
    { ...noop, version: '10', description: 'v10' },
  ]);

  it('always has the diagnostic workflows', () => {
    expect(
      localCatalog(builtIns)
        .list()
        .map((w) => w.id),
    ).toEqual(expect.arrayContaining(['noop', 'wait', 'fail', 'restart-ecs-service']));
  });

  it('resolves a missing version to the latest, comparing versions as numbers', () => {
    expect(catalog.resolve('noop').version).toBe('10');
    expect(catalog.resolve('noop', '2').description).toBe('v2');
  });

  it('names what is unknown', () => {
    expect(() => catalog.resolve('reboot')).toThrow(UnknownWorkflowError);
    expect(() => catalog.resolve('reboot')).toThrow(/known: fail, noop, restart-ecs-service, wait/);
    expect(() => catalog.resolve('noop', '3')).toThrow(/no version "3"; known: 1, 2, 10/);
  });

  it('refuses a catalog with a workflow version defined twice', () => {
    expect(() => localCatalog([noop, noop])).toThrow(/defined twice/);
  });

  it('keeps no definition or files at run time, and marks an existing state machine with no stand-in as not runnable locally', () => {
    const entry = catalogEntry(noop, { local: true });
    expect(entry).not.toHaveProperty('definition');
    expect(entry).not.toHaveProperty('folder');
    const existing = {
      ...noop,
      id: 'legacy',
      definition: undefined,
      stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:legacy',
    };
    expect(catalogEntry(existing, { local: true }).runnableLocally).toBe(false);
    expect(catalogEntry(existing, { local: false })).not.toHaveProperty('runnableLocally');
    expect(catalogEntry({ ...existing, definition: noop.definition }, { local: true })).not.toHaveProperty(
      'runnableLocally',
    );
  });

  it('round-trips through the catalog file the functions read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
    writeFileSync(file, catalogFileContent(builtIns));
    const read = readCatalogFile(file);
    expect(read).toBeInstanceOf(InMemoryWorkflowCatalog);
    expect(read.list()).toEqual(builtIns.map((v) => catalogEntry(v, { local: false })));
    expect(read.resolve('wait').parameters[0]).toMatchObject({ name: 'SECONDS', type: 'integer', maximum: 86400 });
  });

  it('reads patterns from the catalog file without loading the pattern engine (they were checked when loaded)', async () => {
    vi.resetModules();
    const { usePatternEngine } = await import('../../../lib/domain/user-pattern.js');
    const { readCatalogFile: readFresh } = await import('../../../lib/workflows/catalog.js');
    const load = vi.fn(() => {
      throw new Error('the pattern engine was loaded');
    });
    usePatternEngine(load);
    const patterned = {
      ...noop,
      id: 'patterned',
      targetPattern: '^prod/deployment/',
      parameters: [
        {
          name: 'IMAGE',
          description: 'an image',
          required: false,
          type: 'string' as const,
          pattern: '^[a-z0-9./-]+$',
          default: 'nginx',
        },
      ],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
    writeFileSync(file, catalogFileContent([patterned]));
    expect(readFresh(file).resolve('patterned')).toMatchObject({
      targetPattern: '^prod/deployment/',
      parameters: [{ pattern: '^[a-z0-9./-]+$' }],
    });
    expect(load).not.toHaveBeenCalled();
  });

  it("keeps state machine and step function names within their services' limits, and distinct", () => {
    const longest = { id: 'a'.repeat(63), version: '10.20.30' };
    expect(stateMachineName(longest)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(stateMachineName(longest)).not.toBe(stateMachineName({ ...longest, version: '10.20.31' }));
    expect(stepFunctionName(longest, 'Restart')).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(stateMachineName({ id: 'noop', version: '1' })).toBe('lockstep-noop-v1');
  });

  it('gives each workflow version its own valid state machine name', () => {
    const names = catalog.list().map(stateMachineName);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
