import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `lockstep ARGS...` as a user runs it: its own process (the Node.js 22 this suite runs on,
 * TypeScript through tsx), with an environment holding none of the caller's LOCKSTEP_* or AWS_*
 * settings, only `env`, and no AWS profile to fall back on.
 */
export function lockstep(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'lib/cli/main.ts', ...args],
      {
        cwd: root,
        env: commandEnvironment(env),
        encoding: 'utf8',
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function commandEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(LOCKSTEP_|AWS_)/.test(name)));
  return {
    ...inherited,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };
}

/** A command still running: what it wrote on standard error so far, and its result once it exits. */
export interface RunningCommand {
  stderr(): string;
  result: Promise<CliResult>;
}

/** `lockstep ARGS...` as `lockstep` runs it, for a test that acts while the command waits (a `run --wait` awaiting approval). */
export function startLockstep(args: string[], env: Record<string, string> = {}): RunningCommand {
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/cli/main.ts', ...args], {
    cwd: root,
    env: commandEnvironment(env),
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return {
    stderr: () => stderr,
    result: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
  };
}

/** The JSON document the command printed (one, whole). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, compared with the API's own answer
export function json(result: CliResult): any {
  if (result.code !== 0 && result.code !== 2 && result.code !== 3)
    throw new Error(`lockstep exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** What the command writes on standard error for the API's error body: `code: message`, then a line per detail. */
export function errorText(body: { error: { code: string; message: string; details?: string[] } }): string {
  return (
    [`${body.error.code}: ${body.error.message}`, ...(body.error.details ?? []).map((detail) => `  - ${detail}`)].join(
      '\n',
    ) + '\n'
  );
}
