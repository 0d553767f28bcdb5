import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetPartitionKey } from '../../../lib/adapters/dynamodb/items.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import { executionName } from '../../../lib/domain/execution-name.js';
import { canonicalTargetResource } from '../../../lib/domain/target-resource.js';

describe('target resource', () => {
  it.each([
    ['payments/deployment/payments-api', 'payments/deployment/payments-api'],
    ['payments/Deployment/payments-api', 'payments/deployment/payments-api'],
    ['Payments/DEPLOYMENT/Payments-API', 'Payments/deployment/Payments-API'],
    ['Node/worker-1', 'node/worker-1'],
    [
      'arn:aws:ecs:eu-west-1:123456789012:service/prod/Payments',
      'arn:aws:ecs:eu-west-1:123456789012:service/prod/Payments',
    ],
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

  it.each([
    ['ns/deployment/cafe\u0301', 'ns/deployment/caf\u00e9'],
    ['ns/node/\u212Bngstr\u00f6m', 'ns/node/\u00c5ngstr\u00f6m'],
    ['ns/De\u0301ployment/x', 'ns/d\u00e9ployment/x'],
    ['arn:aws:s3:::cafe\u0301', 'arn:aws:s3:::caf\u00e9'],
  ])('canonicalizes %j to its Unicode NFC form %j', (input, canonical) => {
    expect(canonicalTargetResource(input)).toBe(canonical);
  });

  it.each([
    ['ns/deployment/a\ud800', /unpaired surrogate/],
    ['ns/deployment/\udc00a', /unpaired surrogate/],
    ['ARN:aws:iam::123456789012:role/ops', /must start with lowercase "arn:"/],
    ['Arn:aws:s3:::bucket', /must start with lowercase "arn:"/],
    ['ns/deployment/\u00a0name', /white-space character U\+00A0 at position 14/],
  ])('rejects %j with a message that says what is wrong', (input, message) => {
    expect(() => canonicalTargetResource(input)).toThrow(ValidationError);
    expect(() => canonicalTargetResource(input)).toThrow(message);
  });

  it('gives two spellings of the same text one canonical form, one lock and one execution name, and is idempotent on anything it accepts', () => {
    const letters = fc.constantFrom(
      'a',
      'e',
      'o',
      'A',
      'C',
      'i',
      '\u00e9',
      '\u00c5',
      '\u212B',
      '\u1e9b',
      '\u0301',
      '\u0308',
      '\u0323',
      '\u0327',
      '\uac00',
      '\u1100',
      '\u1161',
      '-',
      '.',
      '1',
    );
    const part = fc.array(letters, { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.option(part, { nil: undefined }), part, part, (namespace, kind, name) => {
        const text = [namespace, kind, name].filter((p) => p !== undefined).join('/');
        const spellings = [text, text.normalize('NFD'), text.normalize('NFC')];
        const outcomes = spellings.map((spelling) => {
          try {
            return canonicalTargetResource(spelling);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            return undefined;
          }
        });
        const [canonical] = outcomes;
        expect(new Set(outcomes).size).toBe(1);
        if (canonical === undefined) return;
        expect(canonicalTargetResource(canonical)).toBe(canonical);
        expect(canonical).toBe(canonical.normalize('NFC'));
        for (const spelling of spellings) {
          const again = canonicalTargetResource(spelling);
          expect(targetPartitionKey(again)).toBe(targetPartitionKey(canonical));
          expect(executionName(again, 7)).toBe(executionName(canonical, 7));
        }
      }),
      { numRuns: 2000 },
    );
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
