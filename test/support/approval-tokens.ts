import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Workflows that need approval: `gated-noop` (one approval) and `two-approvals` (two); both succeed at once. */
export const APPROVAL_WORKFLOWS = fileURLToPath(new URL('./fixtures/approval-workflows/', import.meta.url));

/** One person or system per role, as a tokens file names them (API.md, LOCKSTEP_TOKENS_FILE). */
export const PEOPLE = {
  rita: { token: 'rita-reader-token-0123456789', role: 'reader' },
  alice: { token: 'alice-requester-token-0123456789', role: 'requester' },
  bob: { token: 'bob-operator-token-0123456789', role: 'operator' },
  carol: { token: 'carol-operator-token-0123456789', role: 'operator' },
  chatops: { token: 'chatops-operator-bot-token-0123456789', role: 'operator', intermediary: true },
} as const;
export type Person = keyof typeof PEOPLE;

/** The tokens file for `PEOPLE`, in a folder of its own; its path. */
export function writeTokensFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lockstep-tokens-')), 'tokens.json');
  writeFileSync(path, JSON.stringify(Object.entries(PEOPLE).map(([name, entry]) => ({ name, ...entry }))), {
    mode: 0o600,
  });
  return path;
}
