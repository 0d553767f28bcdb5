import { createRequire } from 'node:module';
import type { PatternEngine } from '../../domain/user-pattern.js';

/**
 * The pattern engine on Node.js (the Lambda functions, local mode, the command, the CDK app):
 * re2js, required from node_modules when the domain compiles its first pattern (see
 * lib/domain/user-pattern.ts). Through a `require` made here, not an `import`, so that esbuild
 * leaves it out of the Lambda bundles: it bundles `import` and a plain `require('…')`, but a
 * call on what `createRequire` returned stays a call at run time, resolved from the bundle's
 * folder, where the CDK app puts re2js (`node_modules/re2js`, cdk/constructs/bundling.ts).
 * re2js's CommonJS build is the same code as its ES module.
 */
export function loadRe2js(): PatternEngine {
  return createRequire(import.meta.url)('re2js') as PatternEngine;
}
