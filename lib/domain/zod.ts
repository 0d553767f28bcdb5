/**
 * zod as every schema of the engine uses it: `zod/mini`, with full zod's English messages.
 *
 * Mini rather than full zod because the schemas are built when a Lambda function starts: full
 * zod gives every schema dozens of bound methods, and its bundle carries a JSON Schema generator
 * the functions never use. The same schemas in mini are about 65 KiB smaller in the API
 * function's bundle and cheaper to build (cold init measured in .scratch/lean, see
 * cdk/constructs/bundling.ts). Mini's checks are full zod's own (`.check(z.minLength(1))` is
 * `.min(1)`), so values are accepted and refused exactly as before.
 *
 * Mini ships without messages ("Invalid input"); these are the ones full zod sets, and the API's
 * error details quote them. Every schema module imports zod from here, so they are in place before
 * anything is parsed.
 */

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
// By name: `z.core.$ZodError` would keep all of zod's core (and its JSON Schema generator) in a bundle.
export { $ZodError } from 'zod/v4/core';
