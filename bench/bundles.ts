// Each Lambda function bundled as the CDK app bundles it (LAMBDA_ESBUILD_OPTIONS), its size, and its cold initialization:
// the time of `await import(bundle)` in a fresh Node process, against a baseline function that
// only creates a DynamoDB client, bundled the same way, in the same run. The modules a function
// loads only on first use (re2js) are beside the bundle as the CDK app ships them, and reported apart.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_ESBUILD_OPTIONS, writeLazyModules } from '../cdk/constructs/bundling.js';
import {
  engineFunctionEnvironment,
  engineRuntimeEnvironment,
  publisherEnvironment,
  workflowVersionsEnvironment,
} from '../lib/contract/environment.js';
import { ENGINE_BUS_NAME } from '../lib/contract/events.js';
import { DEFAULT_IDEMPOTENCY_TABLE_NAME, DEFAULT_TABLE_NAME } from '../lib/contract/table.js';
import { DEFAULT_POLICY } from '../lib/domain/policies.js';
import { CATALOG_FILE_NAME, catalogFileContent, stateMachineName } from '../lib/workflows/catalog.js';
import { loadBuiltInWorkflows } from '../lib/workflows/load-workflows.js';
import { median, round, say } from './support.js';

/** The function that stands for "a Lambda that only has a DynamoDB client". */
export const BASELINE = 'baseline';

/**
 * Functions in functions/ that are not on any request path, with why: their size and cold
 * start are reported, but they do not count towards the targets.
 */
const NOT_COUNTED: Record<string, string> = {
  'workflow-versions':
    'a deploy-time CloudFormation custom resource (check, remember, layout upgrade): it runs during cdk deploy, never while serving a request or an event',
};

export interface FunctionFigures {
  bytes: number;
  kib: number;
  /** Whether it counts towards bundleKiBMax and coldInitOverBaselineMax, and why not. */
  counted: boolean;
  notCountedBecause?: string;
  /**
   * The modules shipped beside the bundle (`node_modules/`) and loaded only on first use, with
   * their size: not in `kib`, nor in the cold init (which imports the bundle alone), as on Lambda
   * for a function that compiles no pattern. None for the baseline.
   */
  lazyModules: Record<string, number>;
  coldInitMedianMs: number;
  coldInitSamplesMs: number[];
  /** What the bundle is made of: bytes in the output by package (own code as `lockstep`), largest first. */
  largestInputs: { from: string; kib: number }[];
}

/**
 * Bundles functions/*.ts (every one that exports a handler) and the baseline into
 * bench/.build, then imports each `samples` times in fresh processes, round-robin so that
 * every function meets the same machine.
 */
export async function measureFunctions(
  root: string,
  samples: number,
): Promise<{ esbuildOptionsFrom: string; functions: Record<string, FunctionFigures> }> {
  // Exactly the options the CDK app bundles with (BUNDLING is derived from them).
  const options = LAMBDA_ESBUILD_OPTIONS;
  const entries: Record<string, string> = { [BASELINE]: `${root}bench/baseline-function.ts` };
  for (const file of readdirSync(`${root}functions`)
    .filter((f) => f.endsWith('.ts'))
    .sort())
    entries[file.replace(/\.ts$/, '')] = `${root}functions/${file}`;

  const built: Record<
    string,
    {
      outfile: string;
      bytes: number;
      lazyModules: FunctionFigures['lazyModules'];
      env: Record<string, string>;
      largestInputs: FunctionFigures['largestInputs'];
    }
  > = {};
  const catalog = loadBuiltInWorkflows();
  for (const [name, entry] of Object.entries(entries)) {
    const dir = bundleDir(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const outfile = `${dir}/index.${options.format === 'esm' ? 'mjs' : 'js'}`;
    const result = await build({
      ...options,
      entryPoints: [entry],
      outfile,
      write: true,
      metafile: true,
      logLevel: 'silent',
    });
    const needsCatalog = name !== BASELINE && name !== 'publisher' && name !== 'workflow-versions';
    // As the CDK app does: the catalog (versions without definitions) beside the bundle, read at cold start.
    if (needsCatalog) writeFileSync(`${dir}/${CATALOG_FILE_NAME}`, catalogFileContent(catalog));
    // As EngineFunction does (engineBundling): beside every function's bundle, where its runtime require finds them.
    const lazyModules =
      name === BASELINE
        ? {}
        : Object.fromEntries(
            Object.entries(writeLazyModules(dir)).map(([module, moduleBytes]) => [module, round(moduleBytes / 1024)]),
          );
    const bytes = statSync(outfile).size;
    built[name] = {
      outfile,
      bytes,
      lazyModules,
      env: lambdaEnvironment(
        name,
        dir,
        catalog.map((v) => stateMachineName(v)),
      ),
      largestInputs: largestInputs(result.metafile),
    };
    const lazy = Object.entries(lazyModules)
      .map(([module, kib]) => `, ${module} ${kib.toFixed(0)} KiB beside it`)
      .join('');
    say(`  bundled ${name}: ${(bytes / 1024).toFixed(0)} KiB${lazy}`);
  }

  const coldInit: Record<string, number[]> = Object.fromEntries(Object.keys(built).map((name) => [name, []]));
  for (let sample = 0; sample < samples; sample++) {
    for (const [name, { outfile, env }] of Object.entries(built)) coldInit[name]!.push(importTime(outfile, env));
    if ((sample + 1) % 5 === 0)
      say(`  cold imports: ${sample + 1}/${samples} of each of ${Object.keys(built).length} bundles`);
  }

  const functions: Record<string, FunctionFigures> = {};
  for (const [name, { bytes, lazyModules, largestInputs }] of Object.entries(built)) {
    const notCountedBecause = name === BASELINE ? 'the baseline itself' : NOT_COUNTED[name];
    functions[name] = {
      bytes,
      kib: round(bytes / 1024),
      counted: notCountedBecause === undefined,
      ...(notCountedBecause && { notCountedBecause }),
      lazyModules,
      coldInitMedianMs: median(coldInit[name]!),
      coldInitSamplesMs: coldInit[name]!.map(round),
      largestInputs,
    };
  }
  return { esbuildOptionsFrom: 'LAMBDA_ESBUILD_OPTIONS (cdk/constructs/bundling.ts)', functions };
}

/** Where a function's bundle is built, beside what the CDK app puts beside it (its catalog file, its lazy modules). */
export const bundleDir = (root: string, name: string): string => `${root}bench/.build/${name}`;

/** A fresh Node process that imports the bundle and reports how long the import took. */
function importTime(outfile: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(outfile).href)}); process.stdout.write(String(performance.now() - t));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' }));
}

/**
 * The environment Lambda gives the function: what cdk/lockstep.ts sets (the engine's
 * functions: tables, bus, deadline schedules, state machines, policy; the publisher: the bus;
 * the custom resource: the table), what EngineFunction adds (NODE_OPTIONS, Powertools'
 * service name) and what the runtime itself sets. Nothing of this shell is passed on.
 */
export function lambdaEnvironment(name: string, taskRoot: string, stateMachines: string[]): Record<string, string> {
  const runtime = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `lockstep-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    ...engineRuntimeEnvironment(),
  };
  const account = 'arn:aws:states:us-east-1:123456789012';
  if (name === BASELINE) return runtime;
  if (name === 'publisher') return { ...runtime, ...publisherEnvironment({ eventBusName: ENGINE_BUS_NAME }) };
  if (name === 'workflow-versions')
    return { ...runtime, ...workflowVersionsEnvironment({ tableName: DEFAULT_TABLE_NAME }) };
  return {
    ...runtime,
    ...engineFunctionEnvironment({
      tableName: DEFAULT_TABLE_NAME,
      idempotencyTableName: DEFAULT_IDEMPOTENCY_TABLE_NAME,
      deadlineSchedules: {
        groupName: 'lockstep-deadlines',
        targetArn: `arn:aws:events:us-east-1:123456789012:event-bus/${ENGINE_BUS_NAME}`,
        roleArn: 'arn:aws:iam::123456789012:role/lockstep-deadlines',
      },
      stateMachineArns: Object.fromEntries(stateMachines.map((m) => [m, `${account}:stateMachine:${m}`])),
      policy: DEFAULT_POLICY,
    }),
  };
}

/** Bytes in the output by package, the 8 largest. */
function largestInputs(metafile: Metafile): FunctionFigures['largestInputs'] {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const from = match ? match[1]! : 'lockstep';
      byPackage.set(from, (byPackage.get(from) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([from, bytes]) => ({ from, kib: round(bytes / 1024) }));
}
