import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PARAMETERS_BYTES,
  parametersBytes,
  parametersSizeProblem,
  utf8Bytes,
} from '../../../lib/domain/item-size.js';

describe('the size of stored parameters', () => {
  it('counts UTF-8 bytes as Buffer.byteLength does, lone surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) }),
        (text, surrogates) => {
          expect(utf8Bytes(text)).toBe(Buffer.byteLength(text));
          expect(utf8Bytes(text + surrogates)).toBe(Buffer.byteLength(text + surrogates));
        },
      ),
    );
  });

  it('counts names and values, as DynamoDB counts a map', () => {
    expect(parametersBytes({ A: '😀', BÉ: '中x' })).toBe(1 + 4 + 3 + 4);
    expect(parametersBytes({})).toBe(0);
  });

  it('allows parameters up to the request body limit and refuses one byte more, giving the size', () => {
    expect(MAX_PARAMETERS_BYTES).toBe(262_144);
    expect(parametersSizeProblem({ P: 'x'.repeat(MAX_PARAMETERS_BYTES - 1) })).toBeUndefined();
    expect(parametersSizeProblem({ P: 'x'.repeat(MAX_PARAMETERS_BYTES) })).toMatch(
      /^the parameters come to 262,145 bytes with defaults applied; at most 262,144/,
    );
    expect(
      parametersSizeProblem(
        Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((name) => [name, '😀'.repeat(16_384)])),
      ),
    ).toMatch(/come to 524,296 bytes/);
  });
});
