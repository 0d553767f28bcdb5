import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const config = createRequire(import.meta.url)(`${root}.dependency-cruiser.cjs`) as {
  forbidden: { name: string }[];
  options: Record<string, unknown>;
};

/** The rule names `npm run cycles`' rules report on a folder (the config's own exclusion of fixtures lifted). */
async function circlesIn(folder: string): Promise<string[]> {
  const { exclude: _fixturesLeftOut, ...options } = config.options;
  const result = await cruise([folder], {
    ...options,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  } as never);
  if (typeof result.output === 'string') throw new Error(result.output);
  return result.output.summary.violations.map((v) => v.rule.name).sort();
}

describe('npm run cycles', () => {
  it('finds a circle between two files', async () => {
    expect(await circlesIn('test/support/fixtures/circles/files')).toContain('no-file-circle');
  });

  it('finds a circle between two folders whose files form none', async () => {
    const found = await circlesIn('test/support/fixtures/circles/folders');
    expect(found).toContain('no-folder-circle');
    expect(found).not.toContain('no-file-circle');
  });
});
