import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRe2js } from '../adapters/patterns/re2js-engine.js';
import { LockstepError } from '../domain/errors.js';
import { formatIssues, type IssueFormat } from '../domain/issues.js';
import { usePatternEngine } from '../domain/user-pattern.js';
import type { AslDefinition } from '../domain/workflow-version.js';
import {
  compareVersions,
  deepFreeze,
  isRecord,
  WorkflowJsonSchema,
  type WorkflowStep,
  type WorkflowVersion,
} from '../domain/workflow-version.js';
import { stepModuleProblem } from './step-module.js';
import { validateDefinition } from './validate-definition.js';

/** A workflows folder with problems; `problems` holds one line per problem, each naming its file relative to the folder. */
export class WorkflowFolderError extends LockstepError {
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the workflows folder ${dir}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    // A user's mistake, not the code's: where it is thrown uncaught (a CDK app), Node prints the problems and no stack frames or field dump.
    Object.defineProperty(this, 'stack', { value: `${this.name}: ${this.message}`, enumerable: false });
    Object.defineProperty(this, 'dir', { enumerable: false });
    Object.defineProperty(this, 'problems', { enumerable: false });
  }
}

export interface LoadWorkflowsOptions {
  /** Marks the versions as built-in (Lockstep's own). Default: false. */
  readonly builtIn?: boolean;
}

const STEP_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

// Checking a workflow.json compiles its patterns (lib/domain/user-pattern.ts): for local mode, the command and the CDK app.
usePatternEngine(loadRe2js);

/**
 * Every workflow version below `dir`: each folder (at any depth, `node_modules` and
 * dot-folders skipped) holding a `workflow.json`, validated with its definition and step
 * handlers, sorted by id then version. Throws a `WorkflowFolderError` listing every problem
 * of every folder at once, so a user fixes them in one go.
 */
export function loadWorkflows(dir: string, options: LoadWorkflowsOptions = {}): readonly WorkflowVersion[] {
  const builtIn = options.builtIn ?? false;
  const { versions, problems } = collectWorkflows(dir, builtIn);
  if (!builtIn) problems.push(...builtInConflicts(versions, (file) => display(dir, file)));
  if (problems.length > 0) throw new WorkflowFolderError(dir, problems);
  return versions;
}

/**
 * Lockstep's own workflows, read from `built-in/` beside this module. A build that compiles
 * `lib/` elsewhere (to `dist/`) must copy `lib/workflows/built-in/` next to the compiled
 * module; a bundle that inlines this module must do the same beside the bundle.
 */
export function loadBuiltInWorkflows(): readonly WorkflowVersion[] {
  // Read once per process: they ship with the package and are frozen, and validating them costs about 0.4 s.
  builtIns ??= loadWorkflows(BUILT_IN_DIR, { builtIn: true });
  return builtIns;
}
let builtIns: readonly WorkflowVersion[] | undefined;

export const BUILT_IN_DIR = fileURLToPath(new URL('./built-in/', import.meta.url));

/**
 * The whole catalog: the built-in workflows, then the user's folder (when given). A user
 * workflow may not reuse a built-in id; that is reported with the folder's other problems.
 */
export function loadWorkflowCatalog(userDir?: string): readonly WorkflowVersion[] {
  return userDir === undefined ? loadBuiltInWorkflows() : [...loadBuiltInWorkflows(), ...loadWorkflows(userDir)];
}

/**
 * The built-in workflows, then `versions` (what `loadWorkflows` gave, from one folder or
 * several): the catalog the CDK construct deploys. Throws a `WorkflowFolderError` when a
 * version reuses a built-in id or an id and version comes twice.
 */
export function withBuiltInWorkflows(versions: readonly WorkflowVersion[]): readonly WorkflowVersion[] {
  // Versions may come from several folders: each is named by its absolute path.
  const problems = builtInConflicts(versions, (file) => file);
  versions.forEach((w, i) => {
    const first = versions.findIndex((other) => other.id === w.id && compareVersions(other.version, w.version) === 0);
    if (first < i)
      problems.push(
        `${join(w.folder, 'workflow.json')}: ${w.id}@${w.version} is also declared by ${join(versions[first]!.folder, 'workflow.json')}; give one of them a new version`,
      );
  });
  if (problems.length > 0) throw new WorkflowFolderError('given to the Lockstep construct', problems);
  return [...loadBuiltInWorkflows(), ...versions];
}

function builtInConflicts(versions: readonly WorkflowVersion[], name: (file: string) => string): string[] {
  const builtInIds = new Set(loadBuiltInWorkflows().map((w) => w.id));
  return versions
    .filter((w) => builtInIds.has(w.id))
    .map(
      (w) =>
        `${name(join(w.folder, 'workflow.json'))}: id "${w.id}" may not reuse a built-in id (built-in: ${[...builtInIds].join(', ')})`,
    );
}

function collectWorkflows(dir: string, builtIn: boolean): { versions: WorkflowVersion[]; problems: string[] } {
  const root = resolve(dir);
  const problems: string[] = [];
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory())
    return { versions: [], problems: [`${dir}: is not a folder`] };
  const versions: WorkflowVersion[] = [];
  const folders = [...workflowFolders(root)];
  // Pointing at the wrong folder (an empty one, a workflow's steps/) must not look like success.
  if (folders.length === 0)
    return { versions, problems: [`${dir}: no workflow.json in this folder or in any folder below it`] };
  for (const folder of folders) {
    const version = loadVersion(root, folder, builtIn, problems);
    if (version) versions.push(version);
  }
  versions.sort((a, b) => (a.id === b.id ? compareVersions(a.version, b.version) : a.id < b.id ? -1 : 1));
  versions.forEach((w, i) => {
    const previous = versions[i - 1];
    if (previous?.id === w.id && compareVersions(previous.version, w.version) === 0) {
      const as = previous.version === w.version ? '' : ` (as ${previous.version})`;
      problems.push(
        `${display(root, join(w.folder, 'workflow.json'))}: ${w.id}@${w.version} is also declared by ${display(root, join(previous.folder, 'workflow.json'))}${as}; give one of them a new version`,
      );
    }
  });
  return { versions, problems };
}

function* workflowFolders(folder: string): Generator<string> {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (entries.some((e) => e.isFile() && e.name === 'workflow.json')) yield folder;
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
      yield* workflowFolders(join(folder, e.name));
  }
}

/** A workflow.json's problems read as paths in the file (`parameters[0].name`), the unknown key quoted in the message. */
const MANIFEST_ISSUES: IssueFormat = {
  path: 'accessor',
  unknownKey: (key, path) => ({ path, message: `unknown field "${key}"` }),
  recordKey: 'key',
};

/** One folder's version, or undefined with its problems added to `problems`. */
function loadVersion(root: string, folder: string, builtIn: boolean, problems: string[]): WorkflowVersion | undefined {
  const before = problems.length;
  const report = (file: string, message: string) => problems.push(`${display(root, file)}: ${message}`);
  const manifestFile = join(folder, 'workflow.json');
  const manifestBytes = readIfFile(manifestFile, (message) => report(manifestFile, message));
  const raw = manifestBytes && parseJson(manifestBytes, (message) => report(manifestFile, message));
  if (manifestBytes === undefined || raw === undefined) return undefined;
  const parsed = WorkflowJsonSchema.safeParse(raw);
  if (!parsed.success) formatIssues(parsed.error, MANIFEST_ISSUES).forEach((line) => report(manifestFile, line));
  const manifest = parsed.data;
  // With a broken workflow.json, still check what it points at, so every problem shows in one run.
  const declaredSteps = manifest ? Object.keys(manifest.steps) : stepNamesOf(raw);
  const definitionPath =
    manifest?.definition ?? (isRecord(raw) && typeof raw.definition === 'string' ? raw.definition : undefined);

  const contents = new Map<string, Buffer>([['workflow.json', manifestBytes]]);
  let definition: AslDefinition | undefined;
  if (definitionPath !== undefined) {
    const file = inside(folder, definitionPath);
    if (file === undefined) report(manifestFile, `definition "${definitionPath}" is outside the workflow's folder`);
    else {
      const bytes = readIfFile(file, (message) => report(manifestFile, `definition "${definitionPath}" ${message}`));
      const parsedDefinition = bytes && parseJson(bytes, (message) => report(file, message));
      if (bytes && parsedDefinition !== undefined) {
        contents.set(portable(relative(folder, file)), bytes);
        validateDefinition(parsedDefinition, declaredSteps).forEach((message) => report(file, message));
        definition = parsedDefinition as AslDefinition;
      }
    }
  }

  const steps: WorkflowStep[] = [];
  const declared: Record<string, { handler: string; timeoutSeconds?: number; memorySize?: number }> =
    manifest?.steps ?? stepsOf(raw);
  for (const [name, step] of Object.entries(declared)) {
    const file = inside(folder, step.handler);
    const where = `step "${name}" handler "${step.handler}"`;
    if (file === undefined) report(manifestFile, `${where} is outside the workflow's folder`);
    else if (!STEP_EXTENSIONS.some((ext) => file.endsWith(ext)))
      report(manifestFile, `${where} must be a ${STEP_EXTENSIONS.join(', ')} file`);
    else {
      const bytes = readIfFile(file, (message) => report(manifestFile, `${where} ${message}`));
      const problem = bytes && stepModuleProblem(file);
      if (problem) report(file, problem);
      if (bytes) contents.set(portable(relative(folder, file)), bytes);
      steps.push({ name, handler: file, timeoutSeconds: step.timeoutSeconds, memorySize: step.memorySize });
    }
  }
  if (!manifest || problems.length > before) return undefined;

  return deepFreeze(
    withoutUndefined({
      id: manifest.id,
      version: manifest.version,
      description: manifest.description,
      digest: digestOf(contents),
      parameters: manifest.parameters,
      definition,
      stateMachineArn: manifest.stateMachineArn,
      steps: steps.map((s) => withoutUndefined(s)),
      policy: manifest.policy,
      targetPattern: manifest.targetPattern,
      folder,
      builtIn,
    } satisfies WorkflowVersion),
  );
}

/**
 * `sha256:` over each file as `path\nlength\n` + bytes, in sorted path order: renaming a file
 * changes it, anything outside the version's files does not.
 */
function digestOf(contents: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const path of [...contents.keys()].sort()) {
    const bytes = contents.get(path)!;
    hash.update(`${path}\n${bytes.length}\n`);
    hash.update(bytes);
  }
  return `sha256:${hash.digest('hex')}`;
}

function parseJson(bytes: Buffer, report: (message: string) => void): unknown {
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const at = message.includes('(line')
      ? ''
      : ` (${lineColumn(text, position === undefined ? text.length : Number(position))})`;
    report(`is not valid JSON: ${message}${at}`);
    return undefined;
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function readIfFile(file: string, report: (message: string) => void): Buffer | undefined {
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) {
    report('does not exist');
    return undefined;
  }
  try {
    return readFileSync(file);
  } catch (error) {
    report(`cannot be read: ${(error as Error).message}`);
    return undefined;
  }
}

/** The absolute path of `path` relative to `folder`, or undefined when it escapes the folder. */
/** The file `path` names, if it is inside `folder`, by its text and, for a link, by where it leads. */
function inside(folder: string, path: string): string | undefined {
  const within = (base: string, file: string) => {
    const rel = relative(base, file);
    return !(rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
  };
  const file = resolve(folder, path);
  if (isAbsolute(path) || !within(folder, file)) return undefined;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p; // a missing file is reported as missing, not as outside
    }
  };
  return within(real(folder), real(file)) ? file : undefined;
}

const STEP_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

/** Step names of a workflow.json the schema refused: only well-formed ones (a malformed name is reported on its own). */
function stepNamesOf(raw: unknown): string[] {
  return isRecord(raw) && isRecord(raw.steps) ? Object.keys(raw.steps).filter((name) => STEP_NAME.test(name)) : [];
}

/** The steps of a workflow.json the schema refused, so their handler files are checked in the same run. */
function stepsOf(raw: unknown): Record<string, { handler: string }> {
  if (!isRecord(raw) || !isRecord(raw.steps)) return {};
  return Object.fromEntries(
    Object.entries(raw.steps).flatMap(([name, step]) =>
      STEP_NAME.test(name) && isRecord(step) && typeof step.handler === 'string' && step.handler !== ''
        ? [[name, { handler: step.handler }]]
        : [],
    ),
  );
}

const display = (root: string, file: string) => portable(relative(resolve(root), file));

const portable = (path: string) => path.split(sep).join('/');

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
