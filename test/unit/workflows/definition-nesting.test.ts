import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../lib/workflows/validate-definition.js';

const machine = (states: Record<string, unknown>) => ({ StartAt: Object.keys(states)[0], States: states });

/** `depth` Parallel (or Map) states, each the only state of the branch (or item processor) of the one above, two branches each. */
function nested(depth: number, type: 'Parallel' | 'Map'): unknown {
  let inner: unknown = machine({ L0: { Type: 'Pass', End: true } });
  for (let i = 1; i <= depth; i++) {
    const state =
      type === 'Parallel'
        ? { Type: 'Parallel', Branches: [inner, machine({ [`B${i}`]: { Type: 'Pass', End: true } })], End: true }
        : { Type: 'Map', ItemProcessor: inner, End: true };
    inner = machine({ [`L${i}`]: state });
  }
  return inner;
}

describe('validation time is bounded whatever the nesting', () => {
  it.each([20, 24, 200])(
    'answers %i levels of Parallel within a generous bound, naming the limit and the path',
    { timeout: 600_000 },
    (depth) => {
      const started = performance.now();
      const problems = validateDefinition(nested(depth, 'Parallel'), []);
      expect(performance.now() - started).toBeLessThan(5_000);
      const path = Array.from({ length: 10 }, (_, i) => `L${depth - i}`).join(' › ');
      expect(problems).toEqual([
        `state "L${depth - 9}" in branch 1 of "L${depth - 8}" is nested 9 levels deep in Parallel and Map states (${path}); at most 8 levels are allowed, because validating a definition takes time exponential in its nesting: flatten it, or split it into workflows`,
      ]);
    },
  );

  it('refuses deep Map nesting the same way', () => {
    expect(validateDefinition(nested(30, 'Map'), [])).toEqual([
      expect.stringMatching(
        /^state "L21" in the ItemProcessor of "L22" is nested 9 levels deep in Parallel and Map states \(L30 › .* › L21\); at most 8 levels are allowed/,
      ),
    ]);
  });

  it.each(['Parallel', 'Map'] as const)('accepts 8 levels of %s', { timeout: 60_000 }, (type) => {
    expect(validateDefinition(nested(8, type), [])).toEqual([]);
  });
});
