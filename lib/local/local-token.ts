import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, ENVIRONMENT } from '../contract/environment.js';
import { RoleSchema } from '../contract/routes.js';
import * as z from '../domain/zod.js';
import { type LocalToken, PRINTED_TOKEN_NAME } from '../handlers/authenticators.js';

/** In the data folder: the token local mode generated there, so that it survives restarts. */
const TOKEN_FILE = 'token';

const generate = () => randomBytes(24).toString('base64url');

/**
 * Local mode's token: `LOCKSTEP_TOKEN`, else the one kept in the data folder (made there
 * once, readable by its owner only, then reused, so open pages and scripts keep working
 * across restarts), else a new one for this run.
 */
export function localToken(config: { token?: string; dataDir?: string }): string {
  if (config.token) return config.token;
  if (!config.dataDir) return generate();
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, TOKEN_FILE);
  try {
    // `wx`: made only if absent, so a token once given out is never replaced.
    writeFileSync(file, `${generate()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    chmodSync(file, 0o600);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new ConfigurationError(
      `${file} does not hold a token (printable ASCII, no spaces): delete it for a new one, or set ${ENVIRONMENT.token}`,
    );
  return token;
}

const LocalTokenSchema = z.strictObject({
  name: z.string().check(
    z.regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/, {
      message: 'name must be 1 to 64 of a-z 0-9 . _ @ -, starting with a letter or digit',
    }),
  ),
  // The token is never echoed: every message about it says what is wrong, not what was given.
  token: z
    .string()
    .check(
      z.minLength(24, { message: 'token must be at least 24 characters' }),
      z.regex(/^[\x21-\x7e]*$/, { message: 'token must be printable ASCII without spaces (it is sent as a header)' }),
    ),
  role: RoleSchema,
  intermediary: z.optional(z.boolean()),
});

/**
 * `LOCKSTEP_TOKENS_FILE`'s content: a JSON array of `{name, token, role, intermediary?}`, names
 * and tokens unique, neither the printed token's name nor the printed token itself. Every
 * problem is one line naming its entry (`entry 2 ("bot"): token must be at least 24
 * characters`, counting from 1) and no line ever holds a token. Throws a ConfigurationError.
 */
export function parseTokensFile(text: string, where: string, printed: { name: string; token: string }): LocalToken[] {
  const refuse = (problems: string[]) => {
    throw new ConfigurationError(
      [`${ENVIRONMENT.tokensFile} ${where} is refused:`, ...problems.map((problem) => `  ${problem}`)].join('\n'),
    );
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return refuse(['not valid JSON']);
  }
  if (!Array.isArray(raw)) return refuse(['must be a JSON array of {"name", "token", "role", "intermediary"?}']);
  const problems: string[] = [];
  const names = new Map<string, number>();
  const tokens = new Map<string, number>();
  const entries = raw.map((entry: unknown, index) => {
    const number = index + 1;
    const rawName = (entry as { name?: unknown } | null)?.name;
    const shownName = typeof rawName === 'string' && (rawName.length > 80 ? `${rawName.slice(0, 80)}…` : rawName);
    const label = `entry ${number}${typeof shownName === 'string' ? ` (${JSON.stringify(shownName)})` : ''}`;
    const parsed = LocalTokenSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
            : field === 'role'
              ? `role must be one of ${RoleSchema.options.join(', ')}`
              : field === 'intermediary'
                ? 'intermediary must be true or false'
                : issue.code === 'invalid_type' && field
                  ? `${field} must be a string`
                  : issue.code === 'invalid_type'
                    ? 'must be an object {"name", "token", "role", "intermediary"?}'
                    : issue.message;
        problems.push(`${label}: ${message}`);
      }
      return undefined;
    }
    const { name, token } = parsed.data;
    const sameName = names.get(name);
    if (name === printed.name) problems.push(`${label}: name ${name} is the printed token's; choose another`);
    else if (sameName !== undefined) problems.push(`${label}: name ${name} is also entry ${sameName}'s`);
    const sameToken = tokens.get(token);
    if (token === printed.token) problems.push(`${label}: token is the printed token; give it a token of its own`);
    else if (sameToken !== undefined) problems.push(`${label}: token is also entry ${sameToken}'s`);
    names.set(name, number);
    tokens.set(token, number);
    return parsed.data;
  });
  if (problems.length > 0) refuse(problems);
  return entries as LocalToken[];
}

/** `LOCKSTEP_TOKENS_FILE`'s tokens (none without it), checked against the printed token; a file that cannot be read is refused like a bad one. */
export function localTokens(config: { tokensFile?: string }, printed: string): LocalToken[] {
  if (!config.tokensFile) return [];
  let text: string;
  try {
    text = readFileSync(config.tokensFile, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${ENVIRONMENT.tokensFile} ${config.tokensFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseTokensFile(text, config.tokensFile, { name: PRINTED_TOKEN_NAME, token: printed });
}
