import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Reads a dotted path (`requestContext.requestId`, `id`) in an event: the Logger's
 * `correlationIdSearchFn`. Without one Powertools ignores `correlationIdPath` (it warns
 * once and adds no `correlation_id`); the paths the functions use need no JMESPath, whose
 * package would be one more dependency in the bundles.
 */
export function searchEventPath(path: string, event: unknown): unknown {
  let value: unknown = event;
  for (const name of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** The engine's Logger: the service name of every line, and the correlation id read from the event. */
export function engineLogger(options: ConstructorParameters<typeof Logger>[0] = {}): Logger {
  return new Logger({ serviceName: 'lockstep', correlationIdSearchFn: searchEventPath, ...options });
}
