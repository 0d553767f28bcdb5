import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ValidationError, validationErrorFrom } from '../domain/errors.js';
import type * as z from '../domain/zod.js';

/**
 * Names that are members of `Object.prototype` (`constructor`, `__proto__`, `toString`, ...).
 * Used as keys they reach the prototype instead of the request's own values, so a header
 * or query parameter with such a name is refused (400) on every route, before anything
 * else looks at the request. Header names are case-insensitive, so the check is too.
 */
const PROTOTYPE_NAMES = new Set(
  [...Object.getOwnPropertyNames(Object.prototype), '__proto__'].map((name) => name.toLowerCase()),
);

export function refusePrototypeNames(event: APIGatewayProxyEvent): void {
  const details = [
    ...namesIn(event.headers, event.multiValueHeaders)
      .filter(isPrototypeName)
      .map((name) => `header ${name}: this name is not accepted`),
    ...namesIn(event.queryStringParameters, event.multiValueQueryStringParameters)
      .filter(isPrototypeName)
      .map((name) => `query.${name}: this name is not accepted`),
  ];
  if (details.length > 0)
    throw new ValidationError('the request uses a header or query parameter name that is not accepted', details);
}

/**
 * The query string a route takes: none at all when it declares no query, and each parameter
 * at most once (a repeated one would otherwise be read as its last value, silently).
 */
export function checkQueryNames(event: APIGatewayProxyEvent, takesQuery: boolean): void {
  const multi = event.multiValueQueryStringParameters ?? {};
  const details = [
    ...Object.entries(multi)
      .filter(([, values]) => Array.isArray(values) && values.length > 1)
      .map(([name]) => `query.${name}: given more than once`),
    ...(takesQuery
      ? []
      : namesIn(event.queryStringParameters, multi).map(
          (name) => `query.${name}: not a known parameter (this route takes no query)`,
        )),
  ];
  if (details.length > 0) throw new ValidationError('the query string does not fit this route', details);
}

/** Parses one part of a request; a failure is a 400 whose details say where (`query.limit`, `body.targetResource`, `header Idempotency-Key`). */
export function parsePart<T extends z.ZodMiniType>(schema: T, value: unknown, where: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationErrorFrom(parsed.error, where);
  return parsed.data;
}

function isPrototypeName(name: string): boolean {
  return PROTOTYPE_NAMES.has(name.toLowerCase());
}

function namesIn(...maps: (Record<string, unknown> | null | undefined)[]): string[] {
  return [...new Set(maps.flatMap((map) => (map && typeof map === 'object' ? Object.keys(map) : [])))];
}
