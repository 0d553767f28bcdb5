import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The rules that fired on `code` as if it were the file at `filePath` (relative to the repository). */
async function firedOn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

/** Each layer's rule, shown firing on a deliberate violation and quiet on an allowed import from the same file. */
const CASES: { layer: string; file: string; forbidden: string; allowed: string }[] = [
  { layer: 'domain', file: 'lib/domain/x.ts', forbidden: '../ports/index.js', allowed: './phase.js' },
  {
    layer: 'contract',
    file: 'lib/contract/x.ts',
    forbidden: '../handlers/api-handler.js',
    allowed: '../domain/phase.js',
  },
  { layer: 'ports', file: 'lib/ports/x.ts', forbidden: '../use-cases/engine.js', allowed: '../domain/phase.js' },
  {
    layer: 'use-cases',
    file: 'lib/use-cases/x.ts',
    forbidden: '../adapters/dynamodb/dynamodb-store.js',
    allowed: '../ports/index.js',
  },
  {
    layer: 'use-cases',
    file: 'lib/use-cases/x.ts',
    forbidden: '../workflows/load-workflows.js',
    allowed: '../domain/workflow-version.js',
  },
  {
    layer: 'adapters',
    file: 'lib/adapters/dynamodb/x.ts',
    forbidden: '../../use-cases/engine.js',
    allowed: '../../ports/index.js',
  },
  { layer: 'workflows', file: 'lib/workflows/x.ts', forbidden: '../local/timers.js', allowed: '../domain/phase.js' },
  {
    layer: 'handlers',
    file: 'lib/handlers/x.ts',
    forbidden: '../adapters/dynamodb/dynamodb-store.js',
    allowed: '../use-cases/engine.js',
  },
  {
    layer: 'runtime',
    file: 'lib/runtime/x.ts',
    forbidden: '../local/timers.js',
    allowed: '../adapters/dynamodb/dynamodb-store.js',
  },
  {
    layer: 'functions',
    file: 'functions/x.ts',
    forbidden: '../lib/handlers/api-handler.js',
    allowed: '../lib/runtime/functions/api.js',
  },
  { layer: 'cli', file: 'lib/cli/commands/x.ts', forbidden: '../../handlers/api-handler.js', allowed: '../views.js' },
  {
    layer: 'cli',
    file: 'lib/cli/x.ts',
    forbidden: '../adapters/dynamodb/dynamodb-store.js',
    allowed: '../contract/routes.js',
  },
  { layer: 'ui/page', file: 'lib/ui/page/views/x.ts', forbidden: '../../../use-cases/engine.js', allowed: '../api.js' },
  { layer: 'local', file: 'lib/local/x.ts', forbidden: '../cli/views.js', allowed: '../handlers/api-handler.js' },
  {
    layer: 'cdk',
    file: 'cdk/constructs/x.ts',
    forbidden: '../../lib/handlers/api-handler.js',
    allowed: '../../lib/contract/routes.js',
  },
];

describe('the layer rules (eslint.config.js)', () => {
  it.each(CASES)('$layer: refuses $forbidden and takes $allowed', async ({ file, forbidden, allowed }) => {
    const refused = await firedOn(file, `import type { X } from '${forbidden}';\nexport type Y = X;\n`);
    expect(refused.filter((m) => m.startsWith('import-x/no-restricted-paths'))).toHaveLength(1);
    const taken = await firedOn(file, `import type { X } from '${allowed}';\nexport type Y = X;\n`);
    expect(taken.filter((m) => m.startsWith('import-x/no-restricted-paths'))).toEqual([]);
  });

  it('keeps the product from importing tests or benchmarks', async () => {
    const fired = await firedOn(
      'lib/use-cases/x.ts',
      "import type { X } from '../../test/support/engine.js';\nexport type Y = X;\n",
    );
    expect(fired.some((m) => m.includes('does not import tests or benchmarks'))).toBe(true);
  });

  it('lets the page take the contract as types only', async () => {
    const value = await firedOn(
      'lib/ui/page/x.ts',
      "import { ROUTES } from '../../contract/routes.js';\nexport const r = ROUTES;\n",
    );
    expect(value.some((m) => m.startsWith('@typescript-eslint/no-restricted-imports'))).toBe(true);
    const typeOnly = await firedOn(
      'lib/ui/page/x.ts',
      "import type { Execution } from '../../contract/api-objects.js';\nexport type E = Execution;\n",
    );
    expect(typeOnly).toEqual([]);
  });

  it('keeps the domain free of the AWS SDK and of process state', async () => {
    const sdk = await firedOn(
      'lib/domain/x.ts',
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n",
    );
    expect(sdk.some((m) => m.startsWith('no-restricted-imports'))).toBe(true);
    const env = await firedOn('lib/domain/x.ts', 'export const region = process.env.AWS_REGION;\n');
    expect(env.some((m) => m.startsWith('no-restricted-globals'))).toBe(true);
  });

  it('keeps the AWS runtime libraries out of the contract, the ports and the use cases', async () => {
    for (const file of ['lib/contract/x.ts', 'lib/ports/x.ts', 'lib/use-cases/x.ts']) {
      const fired = await firedOn(
        file,
        "import { Logger } from '@aws-lambda-powertools/logger';\nexport const l = Logger;\n",
      );
      expect(
        fired.some((m) => m.startsWith('no-restricted-imports')),
        file,
      ).toBe(true);
    }
  });
});
