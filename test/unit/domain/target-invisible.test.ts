import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/domain/errors.js';
import { canonicalTargetResource } from '../../../lib/domain/target-resource.js';

const codePoints = (test: (cp: number) => boolean) => {
  const found: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) if ((cp < 0xd800 || cp > 0xdfff) && test(cp)) found.push(cp);
  return found;
};
const is = (category: RegExp) => (cp: number) => category.test(String.fromCodePoint(cp));

/** Characters that make two targets print the same, or text print in another order: each refused, named by its code point. */
const REFUSED = {
  'format character': codePoints(is(/^\p{Cf}$/u)),
  'line separator': [0x2028],
  'paragraph separator': [0x2029],
  noncharacter: [
    ...Array.from({ length: 32 }, (_, i) => 0xfdd0 + i),
    ...Array.from({ length: 17 }, (_, plane) => [plane * 0x10000 + 0xfffe, plane * 0x10000 + 0xffff]).flat(),
  ],
  'private-use character': codePoints(is(/^\p{Co}$/u)),
  // Fillers, variation selectors, the combining grapheme joiner, Mongolian selectors, U+17B4/5...: drawn as nothing.
  'default-ignorable (invisible) character': codePoints(
    (cp) => is(/^\p{Default_Ignorable_Code_Point}$/u)(cp) && !is(/^\p{Cf}$/u)(cp),
  ),
  // No-break, en, em, ideographic spaces...: `a b` and `a\u00A0b` print the same. Tab and line breaks are control characters.
  'white-space character': codePoints((cp) => is(/^\p{White_Space}$/u)(cp) && !is(/^[ \p{Cc}\p{Zl}\p{Zp}]$/u)(cp)),
  'braille pattern blank': [0x2800],
};

const part = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
const target = fc.oneof(
  fc.tuple(part, part, part).map((parts) => parts.join('/')),
  part.map((name) => `arn:aws:ecs:eu-west-1:123456789012:service/prod/${name}`),
);

describe('target resource: invisible and direction-changing characters', () => {
  it.each([
    ['ns/deployment/pay\u200bments', 'U+200B', 17],
    ['ns/deployment/\u202eipa', 'U+202E', 14],
    ['ns/deployment/a\u2028b', 'U+2028', 15],
    ['ns/deployment/api\uffff', 'U+FFFF', 17],
    ['ns/deployment/api\u{e0041}', 'U+E0041', 17],
    ['lock/a\u034fb', 'U+034F', 6],
    ['lock/a\ufe0fb', 'U+FE0F', 6],
    ['lock/a\u3164b', 'U+3164', 6],
    ['lock/a\u115fb', 'U+115F', 6],
    ['lock/a\u1160b', 'U+1160', 6],
    ['lock/a\uffa0b', 'U+FFA0', 6],
    ['lock/a\ufe00b', 'U+FE00', 6],
    ['lock/a\u180bb', 'U+180B', 6],
    ['lock/a\u17b4b', 'U+17B4', 6],
    ['lock/a\u2800b', 'U+2800', 6],
    ['lock/a\u00a0b', 'U+00A0', 6],
    ['lock/a\u2000b', 'U+2000', 6],
    ['lock/a\u200ab', 'U+200A', 6],
    ['lock/a\u3000b', 'U+3000', 6],
  ])('refuses %j, naming %s and its position', (input, character, position) => {
    expect(() => canonicalTargetResource(input)).toThrow(ValidationError);
    expect(() => canonicalTargetResource(input)).toThrow(
      new RegExp(`${character.replace('+', '\\+')} at position ${position}\\b`),
    );
  });

  it.each(Object.entries(REFUSED))(
    'refuses every %s anywhere in a target, naming it as U+XXXX with its position',
    (kind, refused) => {
      fc.assert(
        fc.property(
          target,
          fc.nat({ max: refused.length - 1 }).map((i) => refused[i]!),
          fc.nat(),
          (valid, cp, at) => {
            const index = at % (valid.length + 1);
            const input = valid.slice(0, index) + String.fromCodePoint(cp) + valid.slice(index);
            const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
            expect(() => canonicalTargetResource(input), `${kind} ${code} at ${index}`).toThrow(ValidationError);
            expect(() => canonicalTargetResource(input)).toThrow(`${kind} ${code} at position ${index}`);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('still accepts visible text in any script, and the plain space inside a part', () => {
    for (const name of [
      'café',
      'Ærø',
      'データ',
      'نظام',
      'עברית',
      '한국어',
      'ᠮᠣᠩᠭᠣᠯ',
      'ភាសាខ្មែរ',
      '⠓⠑⠇⠇⠕',
      'emoji-😀',
      'a b',
    ]) {
      expect(canonicalTargetResource(`ns/deployment/${name}`)).toBe(`ns/deployment/${name.normalize('NFC')}`);
    }
  });
});
