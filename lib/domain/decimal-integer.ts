import { z } from 'zod';

/**
 * A whole number written the one way people write it, in decimal digits (no sign, exponent,
 * hexadecimal, fraction or surrounding spaces), from `min` to `max`: how numbers arrive in
 * query strings and the environment. `Number()` alone would take `0x10`, `1e1` or ` 5`.
 */
export function decimalInteger(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}
