import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/domain/errors.js';
import { canonicalTargetResource } from '../../../lib/domain/target-resource.js';

describe('target resource', () => {
  it.each([
    ['payments/deployment/payments-api', 'payments/deployment/payments-api'],
    ['payments/Deployment/payments-api', 'payments/deployment/payments-api'],
    ['Payments/DEPLOYMENT/Payments-API', 'Payments/deployment/Payments-API'],
    ['Node/worker-1', 'node/worker-1'],
    ['arn:aws:ecs:eu-west-1:123456789012:service/prod/Payments', 'arn:aws:ecs:eu-west-1:123456789012:service/prod/Payments'],
    ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket'],
  ])('canonicalizes %s to %s', (input, canonical) => {
    expect(canonicalTargetResource(input)).toBe(canonical);
  });

  it.each([
    ['', /must not be empty/],
    ['deployment', /1 part\(s\)/],
    ['a/b/c/d', /4 part\(s\)/],
    ['payments//api', /empty kind/],
    ['/deployment/api', /empty namespace/],
    ['deployment/', /empty name/],
    ['payments/deployment/api\n', /control character U\+000A/],
    ['pay\u0000ments/deployment/api', /control character U\+0000/],
    [' payments/deployment/api', /white space/],
    ['arn:aws:ecs', /not a valid ARN/],
    ['arn:aws::eu-west-1:123:thing', /not a valid ARN|empty ARN service/],
    ['x/y/' + 'n'.repeat(1021), /1025 characters long; at most 1024/],
  ])('rejects %j with a message that says what is wrong', (input, message) => {
    expect(() => canonicalTargetResource(input)).toThrow(ValidationError);
    expect(() => canonicalTargetResource(input)).toThrow(message);
  });

  it('rejects what is not a string', () => {
    expect(() => canonicalTargetResource(42)).toThrow(/must be a string/);
  });

  it('is idempotent, keeps the length, and lowercases only the kind', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/);
    fc.assert(
      fc.property(fc.option(part, { nil: undefined }), part, part, (namespace, kind, name) => {
        const input = [namespace, kind, name].filter((p) => p !== undefined).join('/');
        const canonical = canonicalTargetResource(input);
        expect(canonicalTargetResource(canonical)).toBe(canonical);
        expect(canonical.length).toBe(input.length);
        expect(canonical.toLowerCase()).toBe(input.toLowerCase());
        const parts = canonical.split('/');
        expect(parts.at(-2)).toBe(kind.toLowerCase());
        expect(parts.at(-1)).toBe(name);
      }),
    );
  });

  it('either canonicalizes or throws a ValidationError, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1100 }), (input) => {
        try {
          const canonical = canonicalTargetResource(input);
          expect(canonical.length).toBeLessThanOrEqual(1024);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});
