import { StateMachine } from 'aws-local-stepfunctions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParameterRule, problemWith } from '../../../lib/domain/workflow-parameters.js';

type Typed = 'integer' | 'number' | 'boolean';

/** `States.StringToJson` as aws-local-stepfunctions implements it: how a workflow reads a typed value (the tutorial in docs/workflows.md does). */
const readsAsJson = new StateMachine(
  {
    StartAt: 'Read',
    States: { Read: { Type: 'Pass', Parameters: { 'value.$': 'States.StringToJson($.text)' }, End: true } },
  },
  { validationOptions: { checkArn: false } },
);

async function stringToJson(text: string): Promise<{ value: unknown } | { error: string }> {
  try {
    return { value: ((await readsAsJson.run({ text }).result) as { value: unknown }).value };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

const IS_OF_TYPE: Record<Typed, (value: unknown) => boolean> = {
  integer: (value) => Number.isSafeInteger(value),
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  boolean: (value) => typeof value === 'boolean',
};

const digits = fc.stringMatching(/^[0-9]{1,20}$/);
/** Numbers as people mistype them and as JSON writes them: signs, leading zeros, bare points, exponents, spaces, huge and tiny. */
const numberLike = fc
  .tuple(
    fc.constantFrom('', '', '-', '+', ' '),
    fc.oneof(digits, fc.constantFrom('0', '00', '05', '', '9007199254740993', '123456789012345678901234567890')),
    fc.constantFrom('', '', '', '.', '.5', '.05', '.0', '.'),
    fc.constantFrom('', '', '', 'e5', 'E+3', 'e-2', 'e', 'e+', 'e400', 'e-400'),
    fc.constantFrom('', '', '', ' ', '\n', 'x'),
  )
  .map((parts) => parts.join(''));
const booleanLike = fc.constantFrom(
  'true',
  'false',
  'True',
  'FALSE',
  ' true',
  'false ',
  'yes',
  '1',
  '0',
  't',
  '"true"',
  '',
);
const canonical = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);
const candidates = fc.oneof(numberLike, booleanLike, canonical, fc.string({ maxLength: 8 }));

describe('typed parameters: what admission accepts is what the workflow can read', () => {
  it('every typed value admission accepts is read by States.StringToJson to a value of its type', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Typed>('integer', 'number', 'boolean'), candidates, async (type, text) => {
        if (problemWith({ name: 'P', type }, text) !== undefined) return;
        const read = await stringToJson(text);
        expect(read, `${type} ${JSON.stringify(text)}`).toHaveProperty('value');
        expect(
          IS_OF_TYPE[type]((read as { value: unknown }).value),
          `${type} ${JSON.stringify(text)} read as ${JSON.stringify(read)}`,
        ).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('accepts every number as JSON writes it, and every safe integer as an integer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (n) => problemWith({ name: 'N', type: 'integer' }, String(n)) === undefined,
      ),
    );
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (n) => problemWith({ name: 'N', type: 'number' }, JSON.stringify(n)) === undefined,
      ),
    );
    expect(problemWith({ name: 'B', type: 'boolean' }, 'true')).toBeUndefined();
    expect(problemWith({ name: 'B', type: 'boolean' }, 'false')).toBeUndefined();
  });

  it.each<[Typed, string, RegExp]>([
    ['integer', '05', /^must be a whole number written as JSON .*, got "05"$/],
    ['integer', '-0', /write 0/],
    ['integer', '+5', /must be a whole number/],
    ['integer', '9007199254740993', /at most 9007199254740991/],
    ['number', '.5', /^must be a number written as JSON .*, got "\.5"$/],
    ['number', '1.', /must be a number written as JSON/],
    ['number', '01.5', /must be a number written as JSON/],
    ['number', '1e400', /too large/],
    ['boolean', 'True', /^must be true or false \(lowercase, as JSON writes them\), got "True"$/],
  ])('refuses the %s %j, saying what form is expected', (type, text, message) => {
    expect(problemWith({ name: 'P', type } as ParameterRule, text)).toMatch(message);
  });
});
