import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { loadRe2js } from '../../../lib/adapters/patterns/re2js-engine.js';
import { usePatternEngine, userPattern, userPatternProblem } from '../../../lib/domain/user-pattern.js';

usePatternEngine(loadRe2js);

describe('user patterns: RE2, linear time', () => {
  it.each([
    ['^(a|aa)+$', 'a'.repeat(16_383) + '!'],
    ['^(\\w+\\s?)*$', 'word '.repeat(3_276) + '!'],
    ['^(a+)+$', 'a'.repeat(16_383) + '!'],
    ['^(.*a){20}$', 'a'.repeat(16_384) + '!'],
  ])('matches %s against 16 KiB in well under a second, where backtracking takes minutes', (source, value) => {
    const started = performance.now();
    expect(userPattern(source).test(value)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('matches as JavaScript did with the u flag: unanchored, by code point, ^ and $ at the ends of the value', () => {
    expect(userPattern('b').test('abc')).toBe(true);
    expect(userPattern('^b').test('abc')).toBe(false);
    expect(userPattern('^.$').test('😀')).toBe(true);
    expect(userPattern('^\\p{L}+$').test('Ærø')).toBe(true);
    expect(userPattern('^a$').test('a\n')).toBe(false);
    expect(userPattern('(?i)^abc$').test('ABC')).toBe(true);
    expect(userPattern('^(?<ns>[^/]+)/deployment/[^/]+$').test('payments/deployment/api')).toBe(true);
  });

  it('agrees with JavaScript on patterns both engines read the same way', () => {
    const pieces = fc.constantFrom(
      'a',
      'b',
      '.',
      '[ab]',
      '[^a]',
      'a*',
      'b+',
      'a?',
      '(a|b)',
      '(ab)*',
      'a{1,3}',
      '\\d',
      '\\w',
      '-',
      '/',
    );
    const sources = fc
      .array(pieces, { minLength: 1, maxLength: 6 })
      .chain((parts) =>
        fc.constantFrom(parts.join(''), `^${parts.join('')}`, `${parts.join('')}$`, `^${parts.join('')}$`),
      );
    fc.assert(
      fc.property(
        sources,
        fc.stringMatching(/^[ab1/-]{0,8}$/),
        (source, value) => userPattern(source).test(value) === new RegExp(source, 'u').test(value),
      ),
    );
  });

  it.each([
    ['(a)\\1', /^a backreference \(\\1\) is not supported/],
    ['(?<c>a)\\k<c>', /^a backreference \(\\k\) is not supported/],
    ['(?=a)', /^a lookahead \(\(\?=\) is not supported/],
    ['(?!a)', /^a lookahead \(\(\?!\) is not supported/],
    ['(?<=a)b', /^a lookbehind \(\(\?<=\) is not supported/],
    ['(?<!a)b', /^a lookbehind \(\(\?<!\) is not supported/],
    ['\\u00e9', /write a code point as \\x\{00E9\}/],
    ['a{1001}', /^invalid repeat count: \{1001\} \(RE2 syntax\)$/],
    ['[a-', /^missing closing \]/],
  ])('refuses %s, saying why', (source, reason) => {
    expect(userPatternProblem(source)).toMatch(reason);
    expect(() => userPattern(source)).toThrow();
  });

  it('accepts what it can run', () => {
    for (const source of ['^https?://', '^[a-z0-9-]{1,63}$', '\\x{00e9}', '^\\S+$', '[\\p{Lu}]'])
      expect(userPatternProblem(source), source).toBeUndefined();
  });
});

describe('the pattern engine: loaded on the first pattern, through the loader the edge registers', () => {
  /** The module as a process first imports it: no engine loaded, no loader registered. */
  const freshUserPatterns = async () => {
    vi.resetModules();
    return import('../../../lib/domain/user-pattern.js');
  };

  it('loads nothing when registered, then loads once on the first pattern and keeps it', async () => {
    const { usePatternEngine, userPattern, userPatternProblem } = await freshUserPatterns();
    const load = vi.fn(loadRe2js);
    usePatternEngine(load);
    expect(load).not.toHaveBeenCalled();

    expect(userPattern('^(a|aa)+$').test('aaaa')).toBe(true);
    expect(userPatternProblem('(a)\\1')).toMatch(/^a backreference/);
    expect(userPattern('^b$').test('a')).toBe(false);

    expect(load).toHaveBeenCalledOnce();
  });

  it('says what to do when no loader was registered', async () => {
    const { userPattern, userPatternProblem } = await freshUserPatterns();
    expect(() => userPattern('^a$')).toThrow(/^no pattern engine registered: call usePatternEngine/);
    expect(() => userPatternProblem('(a)\\1')).toThrow(/^no pattern engine registered/);
  });
});
