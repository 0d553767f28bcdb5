import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { LockstepStack } from '../../cdk/lockstep-stack.js';
import type { PatternEngine } from '../../lib/domain/user-pattern.js';

/** Text of re2js's parser (an error message) that no other code has: whether its code is in a file. */
const RE2JS_CODE = 'invalid nested repetition operator';

describe('re2js, loaded on the first pattern: beside the engine functions, not in their bundles', () => {
  let assets: Map<string, string>;
  beforeAll(() => {
    const app = new App();
    const stack = new LockstepStack(app, 'Lockstep');
    const assembly = app.synth();
    // Each function's asset folder in the cloud assembly, by the EngineFunction's id (ApiHandler, StatusHandler, …).
    assets = new Map(
      stack.node
        .findAll()
        .filter((c): c is NodejsFunction => c instanceof NodejsFunction)
        .map((fn) => [
          fn.node.scope!.node.id,
          join(assembly.directory, (fn.node.findChild('Code') as Asset).assetPath),
        ]),
    );
  });

  it('leaves re2js out of every engine function bundle, which requires it at run time', () => {
    for (const handler of ['ApiHandler', 'TriggerHandler', 'StatusHandler', 'SweeperHandler']) {
      const bundle = readFileSync(join(assets.get(handler)!, 'index.mjs'), 'utf8');
      expect(bundle, handler).not.toContain(RE2JS_CODE);
      expect(bundle, handler).toContain('("re2js")');
    }
  });

  it('ships a minified re2js in node_modules beside the bundle, which a require from the function folder loads and runs', () => {
    const asset = assets.get('ApiHandler')!;
    const shipped = join(asset, 'node_modules', 're2js');
    expect(JSON.parse(readFileSync(join(shipped, 'package.json'), 'utf8'))).toMatchObject({
      name: 're2js',
      main: 'index.js',
    });
    expect(readFileSync(join(shipped, 'index.js'), 'utf8')).toContain(RE2JS_CODE);
    expect(statSync(join(shipped, 'index.js')).size).toBeLessThan(200 * 1024);
    expect(existsSync(join(shipped, 'LICENSE'))).toBe(true);

    // As the function's runtime require does in /var/task (lib/adapters/patterns/re2js-engine.ts).
    const require = createRequire(join(asset, 'index.mjs'));
    expect(require.resolve('re2js')).toBe(join(shipped, 'index.js'));
    const { RE2JS, RE2JSSyntaxException } = require('re2js') as PatternEngine;
    const started = performance.now();
    expect(RE2JS.compile('^(a|aa)+$').test(`${'a'.repeat(16_383)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(RE2JS.compile('^(a|aa)+$').test('aaaa')).toBe(true);
    expect(() => RE2JS.compile('(a)\\1')).toThrow(RE2JSSyntaxException);
  });

  it('ships it beside every engine function, the catalog file still beside those that read it', () => {
    // The workflow versions check's function is `Handler`, the outbox's `Publisher`.
    for (const handler of ['ApiHandler', 'TriggerHandler', 'StatusHandler', 'SweeperHandler', 'Publisher', 'Handler']) {
      expect(existsSync(join(assets.get(handler)!, 'node_modules', 're2js', 'index.js')), handler).toBe(true);
    }
    for (const handler of ['ApiHandler', 'TriggerHandler', 'StatusHandler', 'SweeperHandler'])
      expect(existsSync(join(assets.get(handler)!, 'catalog.json')), handler).toBe(true);
  });
});
