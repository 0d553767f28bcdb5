import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A request header by name, case-insensitively (API Gateway passes names as the client sent them). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1] ?? undefined;
}
