import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventIdempotencyKey } from '../../../lib/handlers/trigger-handler.js';

// Strings rich in what a separator-based scoping confuses (colons, quotes, backslashes, brackets), and any strings at all.
const tricky = fc.string({ unit: fc.constantFrom(':', '"', '\\', '[', ']', ',', 'a', 'b', ' '), maxLength: 8 });
const anyString = fc.oneof(
  tricky,
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('the scoping of event idempotency keys by source', () => {
  it('never maps two (source, key) pairs that read the same when joined with a separator to one key', () => {
    fc.assert(
      fc.property(
        anyString,
        anyString,
        anyString,
        fc.constantFrom(':', '", "', '","', '\\', '/'),
        (a, b, c, separator) => {
          fc.pre(b !== '');
          expect(eventIdempotencyKey(`${a}${separator}${b}`, c)).not.toBe(
            eventIdempotencyKey(a, `${b}${separator}${c}`),
          );
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('maps distinct (source, key) pairs to distinct keys: the pair can be read back from the key', () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, anyString, (source1, key1, source2, key2) => {
        fc.pre(source1 !== source2 || key1 !== key2);
        expect(eventIdempotencyKey(source1, key1)).not.toBe(eventIdempotencyKey(source2, key2));
        expect(JSON.parse(eventIdempotencyKey(source1, key1).slice('event:'.length))).toEqual([source1, key1]);
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps source a:b with key c apart from source a with key b:c', () => {
    expect(eventIdempotencyKey('a:b', 'c')).not.toBe(eventIdempotencyKey('a', 'b:c'));
  });
});
