import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, markdownLinks } from '../../support/doc-links.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
/** What `npm pack` puts in the package (dist/ aside, which a build makes): README.md and the guides must be among it. */
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: root, encoding: 'utf8' }),
) as [{ files: { path: string }[] }];
const shipped = new Set(packed.files.map((f) => f.path));
const guides = readdirSync(`${root}docs`)
  .filter((name) => name.endsWith('.md'))
  .map((name) => `docs/${name}`);

/** README.md is the front door: short, the quick start first, every link to a file the repository and the package have. */
describe('the README and the guides', () => {
  it('README.md has at most 250 lines and starts with the two-command quick start', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    expect(readme.startsWith('# Lockstep\n\n```sh\nnpm install && npm start\nnpm test\n```\n')).toBe(true);
  });

  it('the package ships README.md and every guide', () => {
    expect(['README.md', ...guides].filter((file) => !shipped.has(file))).toEqual([]);
  });

  it.each(['README.md', ...guides])('every relative link of %s resolves to a shipped file and heading', (file) => {
    expect(brokenLinks(root, file, shipped)).toEqual([]);
  });

  it('links every guide from the README', () => {
    const linked = new Set(markdownLinks(readme).map((link) => link.split('#')[0]));
    expect(guides.filter((guide) => !linked.has(guide))).toEqual([]);
  });
});

describe('the link check', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'lockstep-doc-links-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  mkdirSync(join(fixture, 'docs'));
  mkdirSync(join(fixture, 'src'));
  writeFileSync(join(fixture, 'src/main.ts'), '');
  writeFileSync(
    join(fixture, 'docs/guide.md'),
    '# A guide\n\n## The `lockstep` command\n\n## Step 1: run it\n\n## Step 1: run it\n',
  );

  const check = (markdown: string) => {
    writeFileSync(join(fixture, 'README.md'), markdown);
    return brokenLinks(fixture, 'README.md', new Set(['README.md', 'docs/guide.md']));
  };

  it('passes links to shipped files and their headings, and leaves code and URLs alone', () => {
    expect(
      check(
        [
          '[guide](docs/guide.md) [cmd](docs/guide.md#the-lockstep-command) [again](docs/guide.md#step-1-run-it-1)',
          '[top](#readme) ![pic](https://example.com/a.png) `[not](a/link.md)`',
          '```md',
          '[in a fence](nowhere.md)',
          '```',
          '# Readme',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('reports a missing file, a file the package does not ship, and a missing anchor', () => {
    expect(check('[a](docs/missing.md) [b](src/main.ts) [c](docs/guide.md#no-such-heading) [d](#nowhere)\n')).toEqual([
      'README.md: docs/missing.md: no file docs/missing.md',
      'README.md: src/main.ts: src/main.ts is not in the package',
      'README.md: docs/guide.md#no-such-heading: no heading makes #no-such-heading in docs/guide.md',
      'README.md: #nowhere: no heading makes #nowhere in README.md',
    ]);
  });

  it("makes GitHub's anchors", () => {
    expect([
      ...headingAnchors('# Local mode (`npm start`)\n## On call: what is happening\n## Local mode (`npm start`)\n'),
    ]).toEqual(['local-mode-npm-start', 'on-call-what-is-happening', 'local-mode-npm-start-1']);
  });
});
