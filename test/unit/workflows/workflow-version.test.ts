import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compareVersions } from '../../../lib/domain/workflow-version.js';
import { loadWorkflows, WorkflowFolderError } from '../../../lib/workflows/load-workflows.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function workflowsFolder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-workflows-'));
  folders.push(dir);
  for (const [path, content] of Object.entries(files)) write(dir, path, content);
  return dir;
}

function write(dir: string, path: string, content: unknown): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function problemsOf(dir: string): readonly string[] {
  try {
    loadWorkflows(dir);
  } catch (error) {
    if (error instanceof WorkflowFolderError) return error.problems;
    throw error;
  }
  throw new Error('expected a WorkflowFolderError');
}

const HANDLER = 'export const handler = async (event: unknown) => event;\n';
const END = { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } };
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:restart-deployment';

describe('workflow.json: what users get wrong', () => {
  it('refuses parameter declarations that make no sense', () => {
    const parameters = [
      { name: 'flag', description: 'x', type: 'boolean', enum: ['true'] },
      { name: 'COUNT', description: 'x', type: 'integer', minimum: 10, maximum: 1, default: '20' },
      { name: 'NAME', description: 'x', pattern: '([a-z]', minimum: 1 },
      { name: 'LEVEL', description: 'x', enum: ['low', 'high'], default: 'medium', requird: true },
      { name: 'COUNT', description: 'x', type: 'number', maxLength: 3 },
      { name: 'RATE', description: 'x', type: 'number', default: 2 },
    ];
    const dir = workflowsFolder({
      'a/workflow.json': { id: 'a', version: '1', description: 'x', definition: 'd.json', parameters },
      'a/d.json': END,
    });
    expect(problemsOf(dir)).toEqual([
      'a/workflow.json: parameters[0].name: parameter names are UPPER_SNAKE_CASE',
      'a/workflow.json: parameters[0].enum: a boolean parameter takes no enum (it is already true or false)',
      'a/workflow.json: parameters[1].minimum: 10 is above maximum 1',
      "a/workflow.json: parameters[1].default: breaks the parameter's own rules: it must be at most 1, got 20",
      'a/workflow.json: parameters[2].pattern: the pattern of NAME is not one Lockstep runs: missing closing ): ([a-z] (RE2 syntax)',
      'a/workflow.json: parameters[2].minimum: applies to integer and number parameters, not string',
      'a/workflow.json: parameters[3]: unknown field "requird"',
      'a/workflow.json: parameters[3].default: breaks the parameter\'s own rules: it must be one of "low", "high", got "medium"',
      'a/workflow.json: parameters[4].maxLength: applies to string parameters, not number',
      'a/workflow.json: parameters[5].default: must be a string (values travel as strings, e.g. "1")',
      'a/workflow.json: parameters: declares COUNT more than once',
    ]);
  });

  it('refuses a required parameter with a default, and enum values that break the type', () => {
    const parameters = [
      { name: 'NEEDED', description: 'x', required: true, default: 'a' },
      { name: 'SIZE', description: 'x', type: 'integer', enum: ['1', 'big'] },
    ];
    const dir = workflowsFolder({
      'a/workflow.json': { id: 'a', version: '1', description: 'x', definition: 'd.json', parameters },
      'a/d.json': END,
    });
    expect(problemsOf(dir)).toEqual([
      'a/workflow.json: parameters[0].default: a required parameter never uses its default; drop one of the two',
      'a/workflow.json: parameters[1].enum[1]: the value must be a whole number written as JSON (like 5 or -12: digits, no leading zero, + sign, point, exponent or spaces), got "big"',
    ]);
  });

  it('refuses typed defaults and enum values that States.StringToJson could not read, naming the parameter and the form expected', () => {
    const parameters = [
      { name: 'REPLICAS', description: 'x', type: 'integer', default: '05' },
      { name: 'RATIO', description: 'x', type: 'number', enum: ['0.5', '.5', '1.'] },
      { name: 'DRY_RUN', description: 'x', type: 'boolean', default: 'True' },
    ];
    const dir = workflowsFolder({
      'a/workflow.json': { id: 'a', version: '1', description: 'x', definition: 'd.json', parameters },
      'a/d.json': END,
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        /^a\/workflow\.json: parameters\[0\]\.default: breaks the parameter's own rules: it must be a whole number written as JSON .*, got "05"$/,
      ),
      expect.stringMatching(
        /^a\/workflow\.json: parameters\[1\]\.enum\[1\]: the value must be a number written as JSON .*, got "\.5"$/,
      ),
      expect.stringMatching(
        /^a\/workflow\.json: parameters\[1\]\.enum\[2\]: the value must be a number written as JSON .*, got "1\."$/,
      ),
      expect.stringMatching(
        /^a\/workflow\.json: parameters\[2\]\.default: breaks the parameter's own rules: it must be true or false .*, got "True"$/,
      ),
    ]);
  });

  it('refuses patterns the linear-time engine does not run (backreferences, lookaround), naming the parameter and why', () => {
    const parameters = [
      { name: 'CODE', description: 'x', pattern: '^(a)\\1$' },
      { name: 'NAMED', description: 'x', pattern: '^(?<c>a)\\k<c>$' },
      { name: 'AHEAD', description: 'x', pattern: '^(?=a)\\w+$' },
      { name: 'NOT_AHEAD', description: 'x', pattern: '^(?!a)' },
      { name: 'BEHIND', description: 'x', pattern: '(?<=a)b' },
      { name: 'NOT_BEHIND', description: 'x', pattern: '(?<!a)b' },
    ];
    const dir = workflowsFolder({
      'a/workflow.json': {
        id: 'a',
        version: '1',
        description: 'x',
        definition: 'd.json',
        parameters,
        targetPattern: '^(?=ns/)',
      },
      'a/d.json': END,
    });
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(/^a\/workflow\.json: parameters\[0\]\.pattern: the pattern of CODE .*backreference/),
      expect.stringMatching(/^a\/workflow\.json: parameters\[1\]\.pattern: the pattern of NAMED .*backreference/),
      expect.stringMatching(/^a\/workflow\.json: parameters\[2\]\.pattern: the pattern of AHEAD .*lookahead/),
      expect.stringMatching(/^a\/workflow\.json: parameters\[3\]\.pattern: the pattern of NOT_AHEAD .*lookahead/),
      expect.stringMatching(/^a\/workflow\.json: parameters\[4\]\.pattern: the pattern of BEHIND .*lookbehind/),
      expect.stringMatching(/^a\/workflow\.json: parameters\[5\]\.pattern: the pattern of NOT_BEHIND .*lookbehind/),
      expect.stringMatching(/^a\/workflow\.json: targetPattern: .*lookahead/),
    ]);
  });

  it('refuses bad steps, policy, target pattern, description, and neither definition nor state machine', () => {
    const dir = workflowsFolder({
      'a/workflow.json': {
        id: 'a',
        version: '1.2.3.4',
        description: 'two\nlines',
        steps: {
          'bad-name': { handler: 'x.ts' },
          Slow: { handler: 'slow.ts', timeoutSeconds: 901, memorySize: 64, retries: 2 },
        },
        policy: {
          cooldownSeconds: -1,
          backoffBaseSeconds: 600,
          backoffMaxSeconds: 60,
          maxConsecutiveFailures: 1.5,
          cooldown: 5,
        },
        targetPattern: '[unclosed',
      },
    });
    expect(problemsOf(dir)).toEqual([
      'a/workflow.json: version: must be 1, 1.2 or 1.2.3',
      'a/workflow.json: description: must be one line',
      'a/workflow.json: steps.bad-name: step names are letters and digits, starting with a letter',
      'a/workflow.json: steps.Slow.timeoutSeconds: Too big: expected number to be <=900',
      'a/workflow.json: steps.Slow.memorySize: Too small: expected number to be >=128',
      'a/workflow.json: steps.Slow: unknown field "retries"',
      'a/workflow.json: policy.cooldownSeconds: Too small: expected number to be >=0',
      'a/workflow.json: policy.maxConsecutiveFailures: must be a whole number',
      'a/workflow.json: policy: unknown field "cooldown"',
      'a/workflow.json: policy.backoffBaseSeconds: must not exceed backoffMaxSeconds',
      'a/workflow.json: targetPattern: is not a pattern Lockstep runs: missing closing ]: [unclosed (RE2 syntax)',
      'a/workflow.json: needs a definition, a stateMachineArn, or both (then local mode runs the definition in its place)',
      'a/workflow.json: step "Slow" handler "slow.ts" does not exist',
    ]);
  });

  it('refuses a backoff base above its max', () => {
    const dir = workflowsFolder({
      'a/workflow.json': {
        id: 'a',
        version: '1',
        description: 'x',
        stateMachineArn: ARN,
        policy: { backoffBaseSeconds: 600, backoffMaxSeconds: 60 },
      },
    });
    expect(problemsOf(dir)).toEqual(['a/workflow.json: policy.backoffBaseSeconds: must not exceed backoffMaxSeconds']);
  });
});

describe('loadWorkflows: a valid folder', () => {
  const definition = {
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Task',
        Resource: '${Check}',
        Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
        Next: 'Decide',
      },
      Decide: {
        Type: 'Choice',
        Choices: [{ Variable: '$.healthy', BooleanEquals: true, Next: 'Done' }],
        Default: 'Fan',
      },
      Fan: {
        Type: 'Parallel',
        Branches: [
          {
            StartAt: 'Restart',
            States: {
              Restart: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: '${Restart}', 'Payload.$': '$' },
                End: true,
              },
            },
          },
          { StartAt: 'Note', States: { Note: { Type: 'Pass', End: true } } },
        ],
        Next: 'Each',
      },
      Each: {
        Type: 'Map',
        ItemsPath: '$.pods',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Verify',
          States: { Verify: { Type: 'Task', Resource: '${Verify}', End: true } },
        },
        Next: 'Done',
      },
      Failed: { Type: 'Fail', Error: 'CheckFailed' },
      Done: { Type: 'Succeed' },
    },
  };
  const files = {
    'restart/workflow.json': {
      id: 'restart-deployment',
      version: '1.10',
      description: 'Restarts a deployment.',
      definition: 'definition.asl.json',
      parameters: [
        { name: 'REASON', description: 'Why.', default: 'alert', maxLength: 256 },
        { name: 'COUNT', description: 'How many.', type: 'integer', required: true, minimum: 1 },
      ],
      steps: {
        Check: { handler: 'steps/check.ts', timeoutSeconds: 30 },
        Restart: { handler: 'steps/restart.mts', memorySize: 512 },
        Verify: { handler: 'steps/verify.js' },
      },
      policy: { cooldownSeconds: 600 },
      targetPattern: '^[^/]+/deployment/[^/]+$',
    },
    'restart/definition.asl.json': definition,
    'restart/steps/check.ts': HANDLER,
    'restart/steps/restart.mts': HANDLER,
    'restart/steps/verify.js': 'export const handler = async (event) => event;\n',
    'restart-old/workflow.json': {
      id: 'restart-deployment',
      version: '1.9',
      description: 'Old.',
      definition: 'definition.asl.json',
    },
    'restart-old/definition.asl.json': END,
    'existing/workflow.json': {
      id: 'existing',
      version: '2',
      description: 'Runs a deployed state machine.',
      stateMachineArn: ARN,
    },
    'existing-with-stand-in/workflow.json': {
      id: 'existing-local',
      version: '1',
      description: 'With a stand-in.',
      stateMachineArn: ARN,
      definition: 'stand-in.asl.json',
    },
    'existing-with-stand-in/stand-in.asl.json': END,
  };

  it('loads every version with its fields, sorted by id then version, deep-frozen', () => {
    const dir = workflowsFolder(files);
    const versions = loadWorkflows(dir);
    expect(versions.map((w) => `${w.id}@${w.version}`)).toEqual([
      'existing@2',
      'existing-local@1',
      'restart-deployment@1.9',
      'restart-deployment@1.10',
    ]);
    const [existing, standIn, , restart] = versions;
    expect(existing).toEqual({
      id: 'existing',
      version: '2',
      description: 'Runs a deployed state machine.',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      parameters: [],
      steps: [],
      stateMachineArn: ARN,
      folder: join(dir, 'existing'),
      builtIn: false,
    });
    expect(standIn).toMatchObject({ stateMachineArn: ARN, definition: END });
    expect(restart).toEqual({
      id: 'restart-deployment',
      version: '1.10',
      description: 'Restarts a deployment.',
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      parameters: [
        { name: 'REASON', description: 'Why.', required: false, type: 'string', default: 'alert', maxLength: 256 },
        { name: 'COUNT', description: 'How many.', required: true, type: 'integer', minimum: 1 },
      ],
      definition,
      steps: [
        { name: 'Check', handler: join(dir, 'restart/steps/check.ts'), timeoutSeconds: 30 },
        { name: 'Restart', handler: join(dir, 'restart/steps/restart.mts'), memorySize: 512 },
        { name: 'Verify', handler: join(dir, 'restart/steps/verify.js') },
      ],
      policy: { cooldownSeconds: 600 },
      targetPattern: '^[^/]+/deployment/[^/]+$',
      folder: join(dir, 'restart'),
      builtIn: false,
    });
    expect(Object.isFrozen(restart)).toBe(true);
    expect(Object.isFrozen(restart!.definition!.States)).toBe(true);
    expect(Object.isFrozen(restart!.parameters[0])).toBe(true);
  });

  it('gives a digest that is stable across loads and changes with workflow.json, the definition, a step source or a renamed file', () => {
    const dir = workflowsFolder(files);
    const digest = () => loadWorkflows(dir).find((w) => w.version === '1.10')!.digest;
    const first = digest();
    expect(digest()).toBe(first);
    write(dir, 'unrelated.txt', 'whitespace outside the folder   \n');
    write(dir, 'restart-old/definition.asl.json', JSON.stringify(END, null, 4));
    expect(digest()).toBe(first);

    const seen = new Set([first]);
    const changes: [string, () => void][] = [
      [
        'workflow.json',
        () => write(dir, 'restart/workflow.json', JSON.stringify(files['restart/workflow.json'], null, 4)),
      ],
      ['definition', () => write(dir, 'restart/definition.asl.json', JSON.stringify(definition))],
      ['step source', () => write(dir, 'restart/steps/verify.js', 'export const handler = async () => ({});\n')],
      [
        'renamed step file',
        () => {
          renameSync(join(dir, 'restart/steps/verify.js'), join(dir, 'restart/steps/verify2.js'));
          const manifest = structuredClone(files['restart/workflow.json']);
          manifest.steps.Verify.handler = 'steps/verify2.js';
          write(dir, 'restart/workflow.json', JSON.stringify(manifest, null, 4));
        },
      ],
    ];
    for (const [what, change] of changes) {
      change();
      expect(seen.has(digest()), what).toBe(false);
      seen.add(digest());
    }
  }, 60_000); // many loads, each validating a changed definition
});

describe('compareVersions', () => {
  it('compares part by part, as numbers', () => {
    expect(compareVersions('1.10', '1.9')).toBe(1);
    expect(compareVersions('2', '1.9.9')).toBe(1);
    expect(compareVersions('1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('1', '1.0.0')).toBe(0);
    expect(compareVersions('0.9', '1')).toBe(-1);
    expect(['10', '2', '1.10', '1.9', '1'].sort(compareVersions)).toEqual(['1', '1.9', '1.10', '2', '10']);
  });
});
