import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../../../lib/contract/environment.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** The one file that may write the names. */
const CONTRACT = 'lib/contract/environment.ts';
/** The platform's, not the engine's: Lambda sets it, every AWS SDK and the command read it. */
const PLATFORM = new Set(['AWS_REGION']);
const NAMES = Object.values(ENVIRONMENT).filter((name) => !PLATFORM.has(name));

/**
 * Where code names an engine variable itself: a string or template part that is exactly the
 * name, or an identifier or property name that is (`process.env.TABLE_NAME`, `{ TABLE_NAME: … }`).
 * Prose that mentions a variable for a person (a message, a comment) is not code naming it.
 */
function namedIn(source: string, fileName = 'source.ts'): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const text =
      ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isIdentifier(node) ? node.text : undefined;
    if (text !== undefined && (NAMES as string[]).includes(text))
      found.push(`${text} (line ${ts.getLineAndCharacterOfPosition(node.getSourceFile(), node.getStart()).line + 1})`);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true));
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

describe('environment variable names', () => {
  it('are written only in lib/contract/environment.ts: the engine, the functions, the CDK app and the benchmarks name them through ENVIRONMENT', () => {
    const offenders = ['lib', 'functions', 'cdk', 'bench']
      .flatMap(sourceFiles)
      .filter((file) => file !== CONTRACT)
      .flatMap((file) => namedIn(readFileSync(join(root, file), 'utf8'), file).map((found) => `${file}: ${found}`));
    expect(offenders).toEqual([]);
  });

  it('finds a name read, written or spread as code, and lets prose and the contract object through', () => {
    expect(namedIn('const bus = process.env.EVENT_BUS_NAME;')).toEqual(['EVENT_BUS_NAME (line 1)']);
    expect(namedIn("env['STATE_MACHINE_ARNS'];\nconst e = { TABLE_NAME: t };")).toEqual([
      'STATE_MACHINE_ARNS (line 1)',
      'TABLE_NAME (line 2)',
    ]);
    expect(namedIn('const e = { [`LOCKSTEP_COOLDOWN_SECONDS`]: 1 };')).toEqual(['LOCKSTEP_COOLDOWN_SECONDS (line 1)']);
    expect(namedIn("throw new Error('set DYNAMODB_ENDPOINT to a running DynamoDB'); // TABLE_NAME")).toEqual([]);
    expect(namedIn('const e = { [ENVIRONMENT.tableName]: t };')).toEqual([]);
  });
});
