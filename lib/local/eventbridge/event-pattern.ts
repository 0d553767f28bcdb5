/**
 * EventBridge event pattern matching, for the parts of the pattern language local rules
 * use: exact values (a list means any of them), nested objects, `prefix`, `exists` and
 * `anything-but`. Every field of the pattern must match; fields it does not name are ignored.
 */
export type EventPattern = { [field: string]: EventPattern | Matcher[] };
type Matcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { exists: boolean }
  | { 'anything-but': unknown };

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  const record = event as Record<string, unknown>;
  // Only the event's own fields: a field named like an Object.prototype member is absent unless the event has it.
  const field = (name: string) => (Object.hasOwn(record, name) ? record[name] : undefined);
  return Object.entries(pattern).every(([name, rule]) =>
    Array.isArray(rule) ? matchesValue(rule, field(name)) : matchesPattern(rule, field(name)),
  );
}

function matchesValue(matchers: Matcher[], value: unknown): boolean {
  // Arrays in the event match when any element matches.
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (matcher !== null && typeof matcher === 'object') {
      if ('exists' in matcher) return matcher.exists === (value !== undefined);
      if ('prefix' in matcher) return values.some((v) => typeof v === 'string' && v.startsWith(matcher.prefix));
      if ('anything-but' in matcher) {
        const excluded = Array.isArray(matcher['anything-but']) ? matcher['anything-but'] : [matcher['anything-but']];
        return value !== undefined && values.every((v) => !excluded.includes(v));
      }
      return false;
    }
    return values.some((v) => v === matcher);
  });
}
