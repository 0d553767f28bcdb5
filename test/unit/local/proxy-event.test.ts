import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toProxyEvent } from '../../../lib/local/api-server.js';

/** The parts of a request `toProxyEvent` reads, as Node's parser leaves them. */
function request(url: string, rawHeaders: string[]): IncomingMessage {
  return {
    url,
    method: 'GET',
    httpVersion: '1.1',
    rawHeaders,
    headers: {},
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as IncomingMessage;
}

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

describe('toProxyEvent: every header and query parameter becomes an own data property', () => {
  it.each(NAMES)('keeps a header named %s as sent, in both header maps', (name) => {
    const event = toProxyEvent(
      request('/health', [name, 'first', name, 'second', 'Accept', '*/*']),
      Buffer.alloc(0),
      'req-1',
      new Date(0),
    );

    expect(Object.getOwnPropertyDescriptor(event.headers, name)).toMatchObject({ value: 'second', enumerable: true });
    expect(Object.getOwnPropertyDescriptor(event.multiValueHeaders, name)).toMatchObject({
      value: ['first', 'second'],
    });
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    expect(event.headers.Accept).toBe('*/*');
  });

  it.each(NAMES)('keeps a query parameter named %s as sent, in both query maps', (name) => {
    const event = toProxyEvent(
      request(`/executions?${encodeURIComponent(name)}=1&${encodeURIComponent(name)}=2&limit=5`, []),
      Buffer.alloc(0),
      'req-2',
      new Date(0),
    );

    expect(Object.getOwnPropertyDescriptor(event.queryStringParameters, name)).toMatchObject({
      value: '2',
      enumerable: true,
    });
    expect(Object.getOwnPropertyDescriptor(event.multiValueQueryStringParameters, name)).toMatchObject({
      value: ['1', '2'],
    });
    expect(event.queryStringParameters?.limit).toBe('5');
  });

  it('gives no query maps to a request without a query', () => {
    const event = toProxyEvent(request('/health', []), Buffer.alloc(0), 'req-3', new Date(0));

    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });

  it('keeps a path that starts with two slashes as a path, not a host', () => {
    const event = toProxyEvent(request('//executions', []), Buffer.alloc(0), 'req-4', new Date(0));

    expect(event.path).toBe('//executions');
  });
});
