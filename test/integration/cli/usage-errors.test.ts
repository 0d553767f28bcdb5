import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';
import { lockstep } from './cli-process.js';

/** As `gh` and `git` do: the error, then one line saying where the help is; never the whole help. */
describe('lockstep usage errors', () => {
  it.each([
    ['an unknown command', ['nonsense'], /^error: unknown command 'nonsense'/, 'lockstep'],
    ['an unknown option of the program', ['--bogus', 'ls'], /^error: unknown option '--bogus'/, 'lockstep'],
    ['an unknown option of a command', ['get', 'x', '--bogus'], /^error: unknown option '--bogus'/, 'lockstep get'],
    ['a missing argument', ['run'], /^error: missing required argument 'workflow'/, 'lockstep run'],
    ['a second missing argument', ['run', 'noop'], /^error: missing required argument 'target'/, 'lockstep run'],
    ['too many arguments', ['get', 'a', 'b'], /^error: too many arguments for 'get'/, 'lockstep get'],
    ['an option without its value', ['ls', '--limit'], /^error: option '--limit <n>' argument missing/, 'lockstep ls'],
    [
      'a value not among the choices',
      ['ls', '-o', 'yaml'],
      /^error: option '-o, --output <format>' argument 'yaml' is invalid/,
      'lockstep ls',
    ],
    [
      'a value its parser refuses',
      ['ls', '--limit', '0'],
      /^error: option '--limit <n>' argument '0' is invalid/,
      'lockstep ls',
    ],
    [
      'a bad value of a nested command',
      ['workflows', 'validate'],
      /^error: missing required argument 'dir'/,
      'lockstep workflows validate',
    ],
    [
      'a bad port for ui',
      ['ui', '--port', 'http'],
      /^error: option '--port <port>' argument 'http' is invalid/,
      'lockstep ui',
    ],
  ])('%s: the error and how to get help, exit 1', async (_, args, error, command) => {
    const result = await lockstep(args);

    expect(result).toMatchObject({ code: 1, stdout: '' });
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines, result.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(error);
    expect(lines[1]).toBe(`Run '${command} --help' for usage.`);
  });
});

/**
 * A value the command cannot send is refused before anything is sent, naming the value and the
 * rule; "cannot reach" is only ever said of the network.
 */
describe('lockstep refuses what it cannot send, and says so', () => {
  let mode: TestLocalMode;
  let env: Record<string, string>;
  beforeAll(async () => {
    mode = await startTestLocalMode({}, { realClock: systemClock });
    env = { LOCKSTEP_API_URL: mode.local.urls.api, LOCKSTEP_TOKEN: TEST_TOKEN };
  });
  afterAll(() => mode?.local.stop());

  it.each([
    ['a non-ASCII letter', 'clé-4711'],
    ['a character outside Latin-1', 'alert-€'],
    ['an emoji', 'alert-🚀'],
    ['a control character', 'alert\x7f4711'],
    ['a tab', 'alert\t4711'],
    ['a blank key', '   '],
    ['an empty key', ''],
    ['256 characters', 'k'.repeat(256)],
  ])(
    '--idempotency-key with %s: exit 1 naming the value and the API rule, and nothing is requested',
    async (_, key) => {
      const target = `cli-key-${randomUUID().slice(0, 8)}/deployment/app`;

      const result = await lockstep(['run', 'noop', target, '--idempotency-key', key], env);

      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).not.toMatch(/cannot reach/);
      expect(result.stderr).toContain(`'${key}'`);
      expect(result.stderr).toMatch(
        /must (be|not)[^:]*: an idempotency key is 1 to 255 printable ASCII characters, not all blank/,
      );
      expect(result.stderr).toMatch(/\nRun 'lockstep run --help' for usage\.\n$/);
      const listed = await mode.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`);
      expect(listed.body.items).toEqual([]);
    },
  );

  it('accepts a key of 255 printable ASCII characters, spaces inside included', async () => {
    const key = `a b${'~'.repeat(252)}`;

    const result = await lockstep(
      ['run', 'noop', `cli-key-${randomUUID().slice(0, 8)}/deployment/app`, '--idempotency-key', key, '-o', 'json'],
      env,
    );

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it.each([
    ['a non-ASCII character', 'tökén'],
    ['a line break', 'token\nInjected: yes'],
    ['a character outside Latin-1', 'token-€'],
  ])('a token with %s: exit 1 saying the token cannot be sent, without printing it', async (_, token) => {
    const result = await lockstep(['workflows', '--token', token], env);

    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).not.toMatch(/cannot reach/);
    expect(result.stderr).toMatch(/^error: --token \(LOCKSTEP_TOKEN\): /);
    expect(result.stderr).not.toContain(token);
  });
});
