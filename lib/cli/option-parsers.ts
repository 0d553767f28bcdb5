import { InvalidArgumentError } from 'commander';

/** `-p KEY=VALUE`, repeatable: the value is everything after the first `=` (it may hold `=` itself). */
export function collectParameter(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected KEY=VALUE, for example -p SECONDS=30');
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

/** A whole number of at least 1, in decimal digits (as the API reads numbers). */
export function positiveInteger(text: string): number {
  if (!/^\d{1,15}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(text);
}
