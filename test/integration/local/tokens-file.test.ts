// LOCKSTEP_TOKENS_FILE: checked at start, every problem named by its entry, no token ever printed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ConfigurationError, ENVIRONMENT } from '../../../lib/contract/environment.js';
import { DEFAULT_POLICY } from '../../../lib/domain/policies.js';
import { freePort } from '../../../lib/local/http-listen.js';
import { startLocalMode } from '../../../lib/local/local-mode.js';
import { parseTokensFile } from '../../../lib/local/local-token.js';
import { ANY_FREE_AWS_PORTS, startNpmStart } from '../../support/npm-start.js';
import { until } from '../../support/wait.js';

const PRINTED = { name: 'local-admin', token: 'printed-token-0123456789abcdef' };
const good = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  token: `${name}-secret-0123456789abcdefghij`,
  role: 'reader',
  ...extra,
});

/** The problem lines of a refused file (after its first line, which names the file). */
function problems(content: unknown): string[] {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  try {
    parseTokensFile(text, 'tokens.json', PRINTED);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const [first, ...rest] = (error as Error).message.split('\n');
    expect(first).toBe(`${ENVIRONMENT.tokensFile} tokens.json is refused:`);
    return rest.map((line) => line.trim());
  }
  throw new Error('the file was accepted');
}

function tokensFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lockstep-tokens-')), 'tokens.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('the tokens file (LOCKSTEP_TOKENS_FILE)', () => {
  it('accepts names of the whole pattern, every role, and intermediaries; an empty list adds no token', () => {
    const entries = [
      good('a'),
      good('0bot.v2_x@ops-1', { role: 'requester', intermediary: true }),
      good('z'.repeat(64), { role: 'operator', intermediary: false }),
      good('root', { role: 'admin' }),
    ];
    expect(parseTokensFile(JSON.stringify(entries), 'tokens.json', PRINTED)).toEqual(entries);
    expect(parseTokensFile('[]', 'tokens.json', PRINTED)).toEqual([]);
  });

  it.each([
    ['not JSON', '[{"name": "a",', 'not valid JSON'],
    ['an object, not a list', { name: 'a' }, 'must be a JSON array of {"name", "token", "role", "intermediary"?}'],
    [
      'an entry that is not an object',
      ['bot'],
      'entry 1: must be an object {"name", "token", "role", "intermediary"?}',
    ],
    ['an entry without its name', [{ token: 'x'.repeat(24), role: 'reader' }], 'entry 1: name must be a string'],
    [
      'a short token',
      [good('a'), { ...good('bot'), token: 'x'.repeat(23) }],
      'entry 2 ("bot"): token must be at least 24 characters',
    ],
    [
      'a token with a space',
      [{ ...good('bot'), token: `${'x'.repeat(24)} y` }],
      'entry 1 ("bot"): token must be printable ASCII without spaces (it is sent as a header)',
    ],
    [
      'a token outside ASCII',
      [{ ...good('bot'), token: `${'x'.repeat(24)}é` }],
      'entry 1 ("bot"): token must be printable ASCII without spaces (it is sent as a header)',
    ],
    [
      'an unknown role',
      [good('bot', { role: 'root' })],
      'entry 1 ("bot"): role must be one of reader, requester, operator, admin',
    ],
    [
      'an intermediary that is not a boolean',
      [good('bot', { intermediary: 'yes' })],
      'entry 1 ("bot"): intermediary must be true or false',
    ],
    ['an unknown field', [good('bot', { roles: ['admin'] })], 'entry 1 ("bot"): unknown field roles'],
    [
      'a repeated name',
      [good('bot'), { ...good('bot'), token: 'another-secret-0123456789abc' }],
      'entry 2 ("bot"): name bot is also entry 1\'s',
    ],
    [
      "the printed token's name",
      [good('local-admin')],
      'entry 1 ("local-admin"): name local-admin is the printed token\'s; choose another',
    ],
    [
      'a repeated token',
      [good('a'), { ...good('b'), token: good('a').token }],
      'entry 2 ("b"): token is also entry 1\'s',
    ],
    [
      'the printed token',
      [{ ...good('bot'), token: PRINTED.token }],
      'entry 1 ("bot"): token is the printed token; give it a token of its own',
    ],
  ] as const)('refuses %s, naming the entry', (_label, content, line) => {
    expect(problems(content)).toEqual([line]);
  });

  it.each(['Bot', '-bot', '.bot', 'bot bot', 'bot/1', 'b'.repeat(65), '', 'böt'])('refuses the name %j', (name) => {
    expect(problems([good('x'), { ...good('x'), name }])).toEqual([
      `entry 2 (${JSON.stringify(name)}): name must be 1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit`,
    ]);
  });

  it('lists every problem of every entry, one line each, and never a token', () => {
    const secret = 'do-not-print-me-0123456789';
    const lines = problems([
      { name: 'Bad', token: 'short-secret', role: 'boss', extra: 1 },
      good('ok'),
      { ...good('ok'), token: secret },
      { ...good('dup'), token: secret },
    ]);
    expect(lines).toEqual([
      'entry 1 ("Bad"): name must be 1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit',
      'entry 1 ("Bad"): token must be at least 24 characters',
      'entry 1 ("Bad"): role must be one of reader, requester, operator, admin',
      'entry 1 ("Bad"): unknown field extra',
      'entry 3 ("ok"): name ok is also entry 2\'s',
      'entry 4 ("dup"): token is also entry 3\'s',
    ]);
    expect(lines.join('\n')).not.toContain('short-secret');
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('refuses a file it cannot read before anything starts', async () => {
    const start = startLocalMode(
      {
        port: 0,
        stepFunctionsPort: 0,
        eventBridgePort: 0,
        policy: DEFAULT_POLICY,
        sweepIntervalSeconds: 60,
        tableName: 'never-created',
        dynamodbEndpoint: inject('dynamodbEndpoint'),
        token: PRINTED.token,
        tokensFile: join(tmpdir(), 'no-such-dir-for-lockstep', 'tokens.json'),
      },
      { progress: (line) => expect.fail(`started: ${line}`) },
    );
    await expect(start).rejects.toThrow(
      new ConfigurationError(
        `${ENVIRONMENT.tokensFile} ${join(tmpdir(), 'no-such-dir-for-lockstep', 'tokens.json')} cannot be read (ENOENT)`,
      ),
    );
  });

  it('npm start refuses a bad file: exit 1, one line per problem naming its entry, no token printed, nothing listening', async () => {
    const port = await freePort();
    const secret = 'never-print-this-token-0123';
    const file = tokensFile([good('ops', { role: 'operator', token: secret }), { ...good('bot'), token: 'short' }]);
    const start = startNpmStart({
      PORT: String(port),
      ...ANY_FREE_AWS_PORTS,
      LOCKSTEP_TOKEN: secret,
      [ENVIRONMENT.tokensFile]: file,
    });
    const code = await until(() => start.child.exitCode ?? undefined, 90_000, 'npm start to exit');
    await start.drained;
    const output = start.output();
    expect(code, output).toBe(1);
    expect(output).toContain(`lockstep: ${ENVIRONMENT.tokensFile} ${file} is refused:`);
    expect(output).toContain('lockstep:   entry 1 ("ops"): token is the printed token; give it a token of its own');
    expect(output).toContain('lockstep:   entry 2 ("bot"): token must be at least 24 characters');
    expect(output).not.toContain(secret);
    expect(output).not.toContain('short"');
    // Refused before storage, endpoints or the API started.
    expect(output).not.toMatch(/\[1\/5\]|API: /);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 120_000);
});
