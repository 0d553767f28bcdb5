import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, readLocalConfig } from '../../lib/contract/environment.js';
import { LockstepError } from '../../lib/domain/errors.js';
import { errorResponse } from '../../lib/handlers/http-errors.js';
import { AwsServiceError } from '../../lib/local/aws-json-endpoint.js';
import { JavaMissingError } from '../../lib/local/dynamodb-local.js';
import { ClientGoneError } from '../../lib/local/http-listen.js';

const root = join(import.meta.dirname, '..', '..');
const silent = { info() {}, warn() {}, error() {} };

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the error family', () => {
  it.each([
    ['ConfigurationError', () => new ConfigurationError('invalid configuration: PORT')],
    ['JavaMissingError', () => new JavaMissingError()],
    ['ClientGoneError', () => new ClientGoneError()],
    ['AwsServiceError', () => new AwsServiceError('ValidationException', 'no')],
  ])('%s is a LockstepError named after its class', (name, make) => {
    const error = make();
    expect(error).toBeInstanceOf(LockstepError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
  });

  it('keeps the cause it is given', () => {
    const cause = new Error('disk full');
    expect(new ConfigurationError('unreadable token', { cause }).cause).toBe(cause);
  });

  it('has no error class in lib/ or cdk/ outside it, but the status page bundle', () => {
    // The page imports the contract's types only, never the engine, so its ApiError stays a plain Error.
    const outside = [...sourceFiles('lib'), ...sourceFiles('cdk')].flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/class (\w+) extends Error\b/g)].map(
        ([, name]) => `${file}: ${name}`,
      ),
    );
    expect(outside).toEqual(['lib/domain/errors.ts: LockstepError', 'lib/ui/page/api.ts: ApiError']);
  });

  it('does not turn a ConfigurationError into a client error: the API answers 500 and names only the request', () => {
    const thrown = (() => {
      try {
        readLocalConfig({ PORT: 'eighty' });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ConfigurationError);

    const response = errorResponse(thrown, 'r-1', silent);

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'InternalError', message: 'internal error; request id r-1' },
    });
  });
});
