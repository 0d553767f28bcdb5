import { describe, expect, it } from 'vitest';
import { loadRe2js } from '../../../lib/adapters/patterns/re2js-engine.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import { usePatternEngine } from '../../../lib/domain/user-pattern.js';
import { checkParameters, type ParameterRule } from '../../../lib/domain/workflow-parameters.js';

usePatternEngine(loadRe2js);

const check = (rules: ParameterRule[], given: Record<string, string>) =>
  checkParameters({ id: 'w', version: '1' }, rules, given);
const details = (rules: ParameterRule[], given: Record<string, string>) => {
  try {
    check(rules, given);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details;
  }
  throw new Error('expected a ValidationError');
};

describe('typed workflow parameters', () => {
  it.each<[string, ParameterRule, string, RegExp]>([
    [
      'integer',
      { name: 'N', type: 'integer' },
      '1.5',
      /^body\.parameters\.N: must be a whole number written as JSON \(.*\), got "1\.5"$/,
    ],
    ['integer', { name: 'N', type: 'integer' }, '2147484abc', /must be a whole number/],
    ['integer', { name: 'N', type: 'integer' }, '99999999999999999999', /must be a whole number/],
    ['number', { name: 'N', type: 'number' }, 'NaN', /must be a number/],
    ['number', { name: 'N', type: 'number' }, '1e999', /must be a number/],
    ['boolean', { name: 'B', type: 'boolean' }, 'yes', /must be true or false/],
    ['enum', { name: 'E', enum: ['a', 'b'] }, 'c', /must be one of "a", "b", got "c"/],
    ['minimum', { name: 'N', type: 'integer', minimum: 0 }, '-1', /must be at least 0, got -1/],
    ['maximum', { name: 'N', type: 'integer', maximum: 86400 }, '86401', /must be at most 86400, got 86401/],
    ['maxLength', { name: 'S', maxLength: 3 }, 'abcd', /must be at most 3 characters long, got 4/],
    ['pattern', { name: 'S', pattern: '^[a-z]+$' }, 'ab1', /must match \^\[a-z\]\+\$/],
  ])('refuses a value that breaks its %s rule, naming the parameter', (_rule, rule, value, message) => {
    expect(details([rule], { [rule.name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('accepts values that keep their rules and applies defaults', () => {
    const rules: ParameterRule[] = [
      { name: 'SECONDS', type: 'integer', minimum: 0, maximum: 86400, default: '1' },
      { name: 'RATIO', type: 'number', minimum: 0, maximum: 1 },
      { name: 'DRY_RUN', type: 'boolean', default: 'false' },
      { name: 'MODE', enum: ['fast', 'safe'], required: true },
      { name: 'NAME', pattern: '^[a-z-]+$', maxLength: 8 },
    ];
    expect(
      check(rules, { SECONDS: '0', RATIO: '0.5', MODE: 'safe', NAME: 'café'.normalize('NFC').replace('é', 'e') }),
    ).toEqual({ SECONDS: '0', RATIO: '0.5', DRY_RUN: 'false', MODE: 'safe', NAME: 'cafe' });
  });

  it('reports every problem at once, required ones included', () => {
    expect(
      details(
        [
          { name: 'A', required: true },
          { name: 'B', type: 'integer' },
          { name: 'C', enum: ['x'] },
        ],
        { B: 'two', C: 'y' },
      ),
    ).toEqual([
      'body.parameters.A: is required by workflow w',
      'body.parameters.B: must be a whole number written as JSON (like 5 or -12: digits, no leading zero, + sign, point, exponent or spaces), got "two"',
      'body.parameters.C: must be one of "x", got "y"',
    ]);
  });

  it('reads only the given own values: a name like constructor is undeclared, not a value', () => {
    expect(details([{ name: 'A', default: 'd' }], JSON.parse('{"constructor":"x","__proto__":"y"}'))).toEqual([
      'body.parameters.constructor: is not a parameter of workflow w version 1 (declared: A)',
      'body.parameters.__proto__: is not a parameter of workflow w version 1 (declared: A)',
    ]);
  });

  it('refuses a name the workflow does not declare, suggesting the one a typo meant: a misspelt name must not run with the default', () => {
    const rules: ParameterRule[] = [
      { name: 'REPLICAS', type: 'integer', default: '6' },
      { name: 'HOLD_SECONDS', type: 'integer' },
    ];
    expect(details(rules, { REPLCIAS: '2', OTHER: 'x' })).toEqual([
      'body.parameters.REPLCIAS: is not a parameter of workflow w version 1 (did you mean REPLICAS? declared: REPLICAS, HOLD_SECONDS)',
      'body.parameters.OTHER: is not a parameter of workflow w version 1 (declared: REPLICAS, HOLD_SECONDS)',
    ]);
    expect(details([], { A: '1' })).toEqual([
      'body.parameters.A: is not a parameter of workflow w version 1 (it declares none)',
    ]);
  });
});
