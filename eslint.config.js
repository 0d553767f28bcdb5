import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of DESIGN.md ("Layout"), one rule each: a layer imports from its own folder and the folders named
 * here, nothing else of the repository, so the arrows point inward (domain ← ports ← use cases ← handlers ←
 * runtime ← functions and local mode; adapters implement ports; cdk, the command and the page see the contract).
 * `npm run cycles` adds that no circle exists between files or folders. test/unit/lint/layers.test.ts shows each
 * rule firing.
 */
export const LAYERS = {
  domain: [],
  contract: ['domain'],
  ports: ['domain'],
  'use-cases': ['domain', 'ports'],
  adapters: ['domain', 'ports', 'contract'],
  workflows: ['domain', 'ports', 'contract', 'adapters'],
  handlers: ['domain', 'ports', 'use-cases', 'contract'],
  // The composition root: builds the engine and each function's handler from everything inner.
  runtime: ['domain', 'ports', 'use-cases', 'contract', 'adapters', 'workflows', 'handlers'],
  // The command speaks the API through the contract; it also starts local mode (`lockstep local`), loads a
  // workflows folder (`lockstep workflows validate`) and serves the page's files (`lockstep ui`).
  cli: ['contract', 'domain', 'local', 'workflows', 'ui'],
  // The page runs in a browser: the contract's types, and the domain's parameter rules it checks a form with.
  'ui/page': ['contract', 'domain'],
};

/** Outside lib/: what each may import of it. */
const OUTER = {
  cdk: ['contract', 'domain', 'workflows'],
  functions: ['runtime'],
};

const layerZones = [
  ...Object.entries(LAYERS).map(([layer, allowed]) => ({
    target: `./lib/${layer}`,
    from: './lib',
    except: [layer, ...allowed].map((folder) => `./${folder}`),
    message: `lib/${layer} imports only from ${allowed.length > 0 ? allowed.map((f) => `lib/${f}`).join(', ') : 'itself'} (eslint.config.js, LAYERS).`,
  })),
  ...Object.entries(OUTER).map(([outer, allowed]) => ({
    target: `./${outer}`,
    from: './lib',
    except: allowed.map((folder) => `./${folder}`),
    message: `${outer}/ imports only lib/${allowed.join(', lib/')} (eslint.config.js, OUTER).`,
  })),
  { target: './lib/local', from: './lib/cli', message: 'local mode does not import the command.' },
  {
    target: ['./lib', './cdk', './functions'],
    from: ['./test', './bench'],
    message: 'the product does not import tests or benchmarks.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'bench/.build/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'Read time from the injected Clock, not the wall clock.',
        },
      ],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // The domain stays pure: no AWS SDK, no middy, no Powertools, no process state.
    files: ['lib/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@aws-sdk/*', '@middy/*', '@aws-lambda-powertools/*', 'node:fs', 'node:child_process'] },
      ],
      'no-restricted-globals': ['error', 'process'],
    },
  },
  {
    // Shapes and names only: the contract and the ports run nowhere in particular.
    files: ['lib/contract/**/*.ts', 'lib/ports/**/*.ts', 'lib/use-cases/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@middy/*', '@aws-lambda-powertools/*'],
              message: 'no AWS runtime library here: that is an adapter’s or a handler’s.',
            },
          ],
        },
      ],
    },
  },
  {
    // The page bundles none of the engine's code: the contract reaches it as types.
    files: ['lib/ui/page/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/contract/',
              allowTypeImports: true,
              message: 'the page imports the contract as types only (import type).',
            },
          ],
        },
      ],
    },
  },
);
