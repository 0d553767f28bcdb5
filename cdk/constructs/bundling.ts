import { existsSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

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
      throw new Error(`no lock file (${LOCK_FILES.join(', ')}) in any folder above ${file}: Lambda bundles are built from the project that holds it; run npm install there first`);
    }
  }
}

/** Some CommonJS dependencies call require(); the ESM bundle gives them one. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/**
 * Every Lockstep bundle: minified ESM for Node.js 22 with source maps, by the locally
 * installed esbuild (never Docker). The SDK is bundled, not taken from the runtime: one
 * minified file loads faster than resolving hundreds of modules (cold init measured by
 * npm run bench), and its version is the one tested.
 */
export const BUNDLING: BundlingOptions = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  target: 'node22',
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  externalModules: [],
  banner: ESM_REQUIRE_BANNER,
};
