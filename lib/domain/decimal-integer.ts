import * as z from './zod.js';

/**
 * A whole number written the one way people write it, in decimal digits (no sign, exponent,
 * hexadecimal, fraction or surrounding spaces), from `min` to `max`: how numbers arrive in
 * query strings and the environment. `Number()` alone would take `0x10`, `1e1` or ` 5`.
 */
export function decimalInteger(min: number, max: number) {
  return z.pipe(
    z.pipe(
      z.string().check(z.regex(/^\d{1,16}$/, `must be a whole number from ${min} to ${max}`)),
      z.transform(Number),
    ),
    z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
  );
}
