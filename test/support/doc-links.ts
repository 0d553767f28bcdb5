import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The links of a Markdown text (`[text](target)`, images too), outside code fences and inline code. */
export function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's anchors for a Markdown text's headings: lower case, punctuation dropped, spaces as `-`, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of markdown
    .replace(/^(```|~~~)[\s\S]*?^\1\s*$/gm, '')
    .matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/**
 * What is wrong with the relative links of `file` (a path under `root`): a target the repository
 * does not have, one the package does not ship (`shipped`: the packed files' paths), or an anchor
 * the target's headings do not make. Links with a scheme (https:, mailto:) are not checked.
 */
export function brokenLinks(root: string, file: string, shipped: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const link of markdownLinks(readFileSync(join(root, file), 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
    const [path = '', anchor] = link.split('#', 2);
    const target = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (target.startsWith('..') || !existsSync(join(root, target))) {
      problems.push(`${file}: ${link}: no file ${target}`);
      continue;
    }
    if (!shipped.has(target)) problems.push(`${file}: ${link}: ${target} is not in the package`);
    if (anchor && target.endsWith('.md') && !headingAnchors(readFileSync(join(root, target), 'utf8')).has(anchor))
      problems.push(`${file}: ${link}: no heading makes #${anchor} in ${target}`);
  }
  return problems;
}
