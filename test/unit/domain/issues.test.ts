import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssues, problemsIn } from '../../../lib/domain/issues.js';
import * as z from '../../../lib/domain/zod.js';

const Manifest = z.strictObject({
  name: z.string().check(z.minLength(1)),
  steps: z.array(z.strictObject({ handler: z.string() })),
  parameters: z.optional(z.record(z.string().check(z.regex(/^[A-Z]+$/, 'names are UPPER')), z.string())),
});
const refused = (value: unknown) => {
  const parsed = Manifest.safeParse(value);
  if (parsed.success) throw new Error('expected a refusal');
  return parsed.error;
};
const broken = refused({ name: '', steps: [{ handler: 1, retries: 2 }], parameters: { lower: 'x' }, extra: true });

describe('the zod-issue formatter', () => {
  it('writes dotted paths after a root, one line per unknown key, at the key', () => {
    expect(formatIssues(broken, { root: 'body' })).toEqual([
      'body.name: Too small: expected string to have >=1 characters',
      'body.steps.0.handler: Invalid input: expected string, received number',
      'body.steps.0.retries: not a known field',
      'body.parameters.lower: Invalid key in record',
      'body.extra: not a known field',
    ]);
  });

  it("writes accessor paths, names unknown keys in the message and gives a record key's own problem when asked", () => {
    const lines = formatIssues(broken, {
      path: 'accessor',
      unknownKey: (key, path) => ({ path, message: `unknown field "${key}"` }),
      recordKey: 'key',
    });

    expect(lines).toEqual([
      'name: Too small: expected string to have >=1 characters',
      'steps[0].handler: Invalid input: expected string, received number',
      'steps[0]: unknown field "retries"',
      'parameters.lower: names are UPPER',
      'unknown field "extra"',
    ]);
  });

  it('gives the message alone for a bare value, and the path for callers that write their own lines', () => {
    const bare = z.string().check(z.minLength(3)).safeParse('ab').error!;
    expect(formatIssues(bare)).toEqual(['Too small: expected string to have >=3 characters']);
    expect(problemsIn(broken)[1]).toEqual({
      at: 'steps.0.handler',
      path: ['steps', 0, 'handler'],
      message: 'Invalid input: expected string, received number',
    });
  });

  it('reports every issue zod raised, each once, whatever the refused value', () => {
    const value = fc.record(
      {
        name: fc.oneof(fc.string(), fc.integer()),
        steps: fc.array(fc.dictionary(fc.constantFrom('handler', 'retries', 'x'), fc.oneof(fc.string(), fc.integer()))),
        parameters: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())),
        extra: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(value, (candidate) => {
        const parsed = Manifest.safeParse(candidate);
        if (parsed.success) return;
        const expected = parsed.error.issues.reduce(
          (n, issue) => n + (issue.code === 'unrecognized_keys' ? issue.keys.length : 1),
          0,
        );
        expect(formatIssues(parsed.error, { root: 'body' })).toHaveLength(expected);
      }),
    );
  });
});
