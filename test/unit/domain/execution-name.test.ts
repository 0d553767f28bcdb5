import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executionName, MAX_EXECUTION_NAME_LENGTH } from '../../../lib/domain/execution-name.js';

describe('deterministic execution name', () => {
  it('is wfe- + the first 16 hex of sha256(target) + - + the fencing token', () => {
    const hash = createHash('sha256').update('payments/deployment/payments-api').digest('hex').slice(0, 16);
    expect(executionName('payments/deployment/payments-api', 7)).toBe(`wfe-${hash}-7`);
  });

  it('is the same for the same target and token, and fits Step Functions for any target and token', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 1024 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (target, token) => {
          const name = executionName(target, token);
          expect(name).toBe(executionName(target, token));
          expect(name).toMatch(/^wfe-[0-9a-f]{16}-[1-9][0-9]*$/);
          expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME_LENGTH);
        },
      ),
    );
  });

  it('differs between tokens of one target and between targets', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1, max: 1e6 }),
        (a, b, token) => {
          expect(executionName(a, token)).not.toBe(executionName(a, token + 1));
          if (a !== b) expect(executionName(a, token)).not.toBe(executionName(b, token));
        },
      ),
    );
  });

  it('rejects a token that is not a positive integer', () => {
    for (const token of [0, -1, 1.5, Number.NaN]) expect(() => executionName('a/b', token)).toThrow(RangeError);
  });
});
