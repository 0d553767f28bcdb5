import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, ENVIRONMENT } from '../contract/environment.js';

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
