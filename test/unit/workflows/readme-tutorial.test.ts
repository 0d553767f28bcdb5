import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = 'test/support/fixtures/workflows/';

/** The tutorial's files (docs/workflows.md) are the ones the package test installs, runs and synthesizes: a user copies what is tested. */
describe("the tutorial's workflow (docs/workflows.md)", () => {
  const tutorial = readFileSync(`${root}docs/workflows.md`, 'utf8');
  const blocks = [...tutorial.matchAll(/^```\w+ (workflows\/\S+)\n([\s\S]*?)^```$/gm)].map(([, path, content]) => ({
    path: path!,
    content: content!,
  }));

  it('shows every file of the scale-deployment folder', () => {
    expect(blocks.map((b) => b.path).sort()).toEqual(
      ['definition.asl.json', 'steps/read-replicas.ts', 'steps/set-replicas.ts', 'workflow.json'].map(
        (file) => `workflows/scale-deployment/${file}`,
      ),
    );
  });

  it.each(['workflow.json', 'definition.asl.json', 'steps/read-replicas.ts', 'steps/set-replicas.ts'])(
    'shows %s exactly as tested',
    (file) => {
      const block = blocks.find((b) => b.path === `workflows/scale-deployment/${file}`);
      expect(block?.content).toBe(readFileSync(`${root}${FIXTURE}scale-deployment/${file}`, 'utf8'));
    },
  );
});
