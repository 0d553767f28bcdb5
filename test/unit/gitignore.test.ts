import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What `npm pack` and local runs leave in a clone never shows up as a change to commit. */
describe('.gitignore', () => {
  it.each([
    'lockstep-0.1.0.tgz',
    'packages/lockstep-1.2.3.tgz',
    'dist/lib/cli/main.js',
    'cdk.out/manifest.json',
    '.data/lockstep/table',
  ])('ignores %s', (path) => {
    const ignored = execFileSync('git', ['check-ignore', '--no-index', '--verbose', '--non-matching', path], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(ignored, ignored).not.toMatch(/^::/);
  });
});
