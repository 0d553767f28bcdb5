import { describe, expect, it } from 'vitest';
import { unsupportedNode } from '../../../lib/cli/node-version.js';

describe('unsupportedNode', () => {
  it('refuses every Node.js below the engines floor, saying which it found and how to get the one it needs', () => {
    for (const version of ['v20.20.2', 'v18.19.0', 'v22.11.0', 'v22.0.0', 'v21.99.0']) {
      expect(unsupportedNode(version, '>=22.12')).toBe(
        `lockstep needs Node.js 22.12 or later, and this is ${version}. Install it, or add it to this project with \`npm install --save-dev node@22\`: npx lockstep and npm scripts then run on it.`,
      );
    }
  });

  it('accepts the floor and everything above it', () => {
    for (const version of ['v22.12.0', 'v22.23.3', 'v23.0.0', 'v24.1.0', 'v100.0.0'])
      expect(unsupportedNode(version, '>=22.12')).toBeUndefined();
  });

  it('fails loudly on an engines field it cannot read, rather than letting any Node.js through', () => {
    expect(() => unsupportedNode('v22.23.3', '^22')).toThrow(/not of the form >=MAJOR.MINOR/);
  });
});
