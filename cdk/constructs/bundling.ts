import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';

/** The lock files NodejsFunction understands, in the order it prefers them. */
const LOCK_FILES = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb'];

/**
 * Where esbuild bundles `file` from: the nearest folder above it with a lock file (the
 * project whose `node_modules` the file's imports resolve in). This repository for the
 * engine's own functions; the user's project for the engine installed as a package and for
 * its step handlers.
 */
export function bundlingRootOf(file: string): { projectRoot: string; depsLockFilePath: string } {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const lockFile = LOCK_FILES.map((name) => join(dir, name)).find((path) => existsSync(path));
    if (lockFile) return { projectRoot: dir, depsLockFilePath: lockFile };
    if (dir === parse(dir).root) {
      throw new Error(
        `no lock file (${LOCK_FILES.join(', ')}) in any folder above ${file}: Lambda bundles are built from the project that holds it; run npm install there first`,
      );
    }
  }
}

/** Some CommonJS dependencies call require(); the ESM bundle gives them one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * The Lambda functions' stand-in for the SDK's default credential chain (see
 * lib/adapters/credentials/lambda-credential-provider.ts): a file of the package, TypeScript in
 * this repository and JavaScript once built (`dist/`), so that a project with Lockstep installed
 * bundles it too.
 */
const LAMBDA_CREDENTIAL_PROVIDER = ['ts', 'js']
  .map((extension) =>
    fileURLToPath(new URL(`../../lib/adapters/credentials/lambda-credential-provider.${extension}`, import.meta.url)),
  )
  .find((path) => existsSync(path));
if (!LAMBDA_CREDENTIAL_PROVIDER)
  throw new Error(
    'lib/adapters/credentials/lambda-credential-provider (.ts or .js) is missing beside the CDK constructs: the Lambda bundles need it',
  );

/** The esbuild options of LAMBDA_ESBUILD_OPTIONS; assignable to esbuild's own `BuildOptions`. */
export interface LambdaEsbuildOptions {
  readonly bundle: true;
  readonly minify: boolean;
  readonly sourcemap: boolean;
  readonly target: string;
  readonly platform: 'node';
  readonly format: 'esm';
  readonly mainFields: string[];
  readonly external: string[];
  readonly banner: { js: string };
  readonly alias: Record<string, string>;
}

/**
 * How every Lockstep Lambda function is bundled, as esbuild options: what the CDK app gives
 * NodejsFunction (BUNDLING is derived from it) and what a benchmark passes to esbuild's
 * `build()` with its own entry point and output file, to measure the bundles that deploy.
 *
 * - Minified ESM for Node.js 22 with source maps. The SDK is bundled, not taken from the
 *   runtime: one minified file loads faster than resolving hundreds of modules (cold init
 *   measured by npm run bench), and its version is the one tested.
 * - `@aws-sdk/credential-provider-node` (the SDK's default credential chain) is replaced by a
 *   provider of the credentials Lambda gives a function: its environment, or the container
 *   credentials endpoint where Lambda uses one. The full chain (profiles, SSO, STS, web identity,
 *   `credential_process`, instance metadata, with the SDK's nested clients) is about 90 KiB of
 *   every bundle, none of which can run on Lambda; without it the API function's bundle is
 *   a sixth smaller and its cold start about as much faster. Only these bundles: local mode,
 *   the command and the tests keep the SDK's chain.
 * - re2js, the engine of the patterns users write (148 KiB minified, a quarter of a bundle), is
 *   not in the bundle: the domain loads it on the first pattern it compiles, with a `require`
 *   esbuild leaves to run time (lib/adapters/patterns/re2js-engine.ts), and the engine's
 *   functions carry it beside the bundle (LAZY_MODULES, ENGINE_BUNDLING). A function that never
 *   compiles a pattern never parses it.
 */
export const LAMBDA_ESBUILD_OPTIONS: LambdaEsbuildOptions = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: 'node22',
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: [],
  banner: { js: ESM_REQUIRE_BANNER },
  alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIAL_PROVIDER },
};

/** LAMBDA_ESBUILD_OPTIONS as NodejsFunction takes them, by the locally installed esbuild (never Docker). */
export const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  minify: LAMBDA_ESBUILD_OPTIONS.minify,
  sourceMap: LAMBDA_ESBUILD_OPTIONS.sourcemap,
  target: LAMBDA_ESBUILD_OPTIONS.target,
  format: OutputFormat.ESM,
  mainFields: LAMBDA_ESBUILD_OPTIONS.mainFields,
  externalModules: LAMBDA_ESBUILD_OPTIONS.external,
  banner: LAMBDA_ESBUILD_OPTIONS.banner.js,
  // NodejsFunction passes each to the esbuild command line as `--alias:<package>=<path>`.
  esbuildArgs: { '--alias': Object.entries(LAMBDA_ESBUILD_OPTIONS.alias).map(([from, to]) => `${from}=${to}`) },
};

/**
 * The modules the engine's functions load only when they need them, shipped beside the bundle in
 * `node_modules/` where the runtime's `require` finds them: re2js (see LAMBDA_ESBUILD_OPTIONS).
 */
const LAZY_MODULES = ['re2js'] as const;

/**
 * Writes each of LAZY_MODULES into `<dir>/node_modules/<name>/`: one minified CommonJS file built
 * by esbuild from the copy Lockstep itself resolves (this repository's, or the one installed
 * with the package in a user's project), its license, and a package.json naming the file.
 * Returns each module's size in bytes (its code).
 */
export function writeLazyModules(dir: string): Record<(typeof LAZY_MODULES)[number], number> {
  const sizes = {} as Record<(typeof LAZY_MODULES)[number], number>;
  for (const name of LAZY_MODULES) {
    const entry = createRequire(import.meta.url).resolve(name);
    const { version } = JSON.parse(readFileSync(packageJsonOf(entry, name), 'utf8')) as { version: string };
    const [output] = buildSync({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: 'cjs',
      platform: 'node',
      target: LAMBDA_ESBUILD_OPTIONS.target,
      write: false,
      logLevel: 'silent',
    }).outputFiles;
    const target = join(dir, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'index.js'), output!.contents);
    writeFileSync(join(target, 'package.json'), `${JSON.stringify({ name, version, main: 'index.js' })}\n`);
    const license = join(dirname(packageJsonOf(entry, name)), 'LICENSE');
    if (existsSync(license)) copyFileSync(license, join(target, 'LICENSE'));
    sizes[name] = output!.contents.byteLength;
  }
  return sizes;
}

/** The package.json of the package `name` that holds `file`. */
function packageJsonOf(file: string, name: string): string {
  for (let dir = dirname(file); dir !== parse(dir).root; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path) && (JSON.parse(readFileSync(path, 'utf8')) as { name?: string }).name === name) return path;
  }
  throw new Error(`no package.json of ${name} above ${file}`);
}

/** LAZY_MODULES, built once per process into a temporary folder (removed when the process exits) that every function's bundling copies from. */
function lazyModulesDir(): string {
  if (!builtLazyModules) {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-lazy-modules-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    writeLazyModules(dir);
    builtLazyModules = dir;
  }
  return builtLazyModules;
}
let builtLazyModules: string | undefined;

/** The commands (NodejsFunction's `afterBundling`, by the local shell) that put LAZY_MODULES beside a bundle in `outputDir`. */
function copyLazyModules(outputDir: string): string[] {
  return [
    `mkdir -p "${outputDir}/node_modules"`,
    `cp -R "${lazyModulesDir()}/node_modules/." "${outputDir}/node_modules/"`,
  ];
}

/**
 * BUNDLING for the engine's own functions (EngineFunction): LAZY_MODULES beside the bundle, and
 * `afterBundling`'s other commands (a function's own files) after them. The step handlers' functions
 * keep BUNDLING: they run a user's code, never Lockstep's patterns.
 */
export function engineBundling(afterBundling: (outputDir: string) => string[] = () => []): BundlingOptions {
  return {
    ...BUNDLING,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        ...copyLazyModules(outputDir),
        ...afterBundling(outputDir),
      ],
    },
  };
}
