import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockstepError } from '../../../lib/domain/errors.js';
import { loadWorkflowCatalog, loadWorkflows, WorkflowFolderError } from '../../../lib/workflows/load-workflows.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A workflows folder made of `files` (path → JSON value or source text). */
function workflowsFolder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-workflows-'));
  folders.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof WorkflowFolderError) return error.problems;
    throw error;
  }
  throw new Error('expected a WorkflowFolderError');
}

const HANDLER = 'export const handler = async (event: unknown) => event;\n';
const manifest = (fields: Record<string, unknown> = {}) => ({
  id: 'restart',
  version: '1',
  description: 'Restarts.',
  definition: 'definition.asl.json',
  ...fields,
});
const stepDefinition = { StartAt: 'Restart', States: { Restart: { Type: 'Task', Resource: '${Restart}', End: true } } };
const oneStep = { steps: { Restart: { handler: 'steps/restart.ts' } } };

/** A valid workflow with one step, with `overrides` applied to its files. */
const restart = (overrides: Record<string, unknown> = {}) => ({
  'restart/workflow.json': manifest(oneStep),
  'restart/definition.asl.json': stepDefinition,
  'restart/steps/restart.ts': HANDLER,
  ...overrides,
});

describe('loadWorkflows: what users get wrong, one line per problem naming the file', () => {
  it('refuses a workflow whose defaults alone are more than a request body holds, naming it (they would make every request a 500)', () => {
    const huge = Array.from({ length: 8 }, (_, i) => ({
      name: `P${i + 1}`,
      description: 'large',
      maxLength: 16_384,
      default: '😀'.repeat(16_384),
    }));
    const dir = workflowsFolder(
      restart({ 'restart/workflow.json': manifest({ ...oneStep, id: 'huge8', parameters: huge }) }),
    );
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      expect.stringMatching(
        /^restart\/workflow\.json: parameters: the defaults of workflow huge8 come to 524,304 bytes; at most 262,144/,
      ),
    ]);
  });

  it('loads a workflow whose defaults fit', () => {
    const large = Array.from({ length: 3 }, (_, i) => ({
      name: `P${i + 1}`,
      description: 'large',
      maxLength: 16_384,
      default: '😀'.repeat(16_384),
    }));
    const dir = workflowsFolder(restart({ 'restart/workflow.json': manifest({ ...oneStep, parameters: large }) }));
    expect(loadWorkflows(dir)).toHaveLength(1);
  });

  it('refuses a Next that names no state', () => {
    const dir = workflowsFolder(
      restart({
        'restart/definition.asl.json': {
          StartAt: 'Restart',
          States: { Restart: { Type: 'Task', Resource: '${Restart}', Next: 'Verify' } },
        },
      }),
    );
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart/definition.asl.json: state "Restart" has Next "Verify", which does not exist',
    ]);
  });

  it('refuses Default, Choice and Catch targets that name no state, and a branch that jumps out of its Parallel or Map', () => {
    const definition = {
      StartAt: 'Pick',
      States: {
        Pick: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Nowhere' }], Default: 'Gone' },
        Fan: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Inner',
              States: {
                Inner: {
                  Type: 'Task',
                  Resource: '${Restart}',
                  Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
                  End: true,
                },
              },
            },
          ],
          Next: 'Each',
        },
        Each: {
          Type: 'Map',
          Iterator: { StartAt: 'Item', States: { Item: { Type: 'Pass', Next: 'Fan' } } },
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    };
    const dir = workflowsFolder(restart({ 'restart/definition.asl.json': definition }));
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart/definition.asl.json: state "Pick" has Default "Gone", which does not exist',
      'restart/definition.asl.json: state "Pick" has Choices[0].Next "Nowhere", which does not exist',
      'restart/definition.asl.json: state "Inner" has Catch[0].Next "Done", which does not exist in branch 1 of "Fan"',
      'restart/definition.asl.json: state "Item" has Next "Fan", which does not exist in the Iterator of "Each"',
      'restart/definition.asl.json: state "Fan" is not reachable from StartAt "Pick"',
      'restart/definition.asl.json: state "Each" is not reachable from StartAt "Pick"',
      'restart/definition.asl.json: state "Done" is not reachable from StartAt "Pick"',
    ]);
  });

  it('refuses a definition with no reachable end, and states that can never end', () => {
    const dir = workflowsFolder({
      'loop/workflow.json': manifest({ id: 'loop' }),
      'loop/definition.asl.json': {
        StartAt: 'A',
        States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } },
      },
      'trap/workflow.json': manifest({ id: 'trap' }),
      'trap/definition.asl.json': {
        StartAt: 'Pick',
        States: {
          Pick: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: true, Next: 'Poll' }], Default: 'Done' },
          Poll: { Type: 'Wait', Seconds: 5, Next: 'Poll' },
          Done: { Type: 'Succeed' },
        },
      },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'loop/definition.asl.json: no end is reachable from StartAt "A": no state on the way has End: true or is a Succeed or Fail state',
      'trap/definition.asl.json: state "Poll" can never reach an end (End: true, Succeed or Fail)',
    ]);
  });

  it('refuses unreachable states, unknown state types and Tasks without a Resource', () => {
    const dir = workflowsFolder({
      'a/workflow.json': manifest({ id: 'a' }),
      'a/definition.asl.json': {
        StartAt: 'Go',
        States: {
          Go: { Type: 'Taks', Resource: 'arn:aws:states:::lambda:invoke', End: true },
          Call: { Type: 'Task', End: true },
          Orphan: { Type: 'Succeed' },
        },
      },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'a/definition.asl.json: state "Go" has Type "Taks", which does not exist (one of Task, Pass, Wait, Choice, Parallel, Map, Succeed, Fail)',
      'a/definition.asl.json: state "Call" is a Task without a Resource',
      'a/definition.asl.json: state "Call" is not reachable from StartAt "Go"',
      'a/definition.asl.json: state "Orphan" is not reachable from StartAt "Go"',
    ]);
  });

  it('refuses JSONata, at the top level, on a state or as an expression, saying why', () => {
    const why = "JSONata is not supported: local mode's interpreter runs JSONPath only; write this state with JSONPath";
    const dir = workflowsFolder({
      'top/workflow.json': manifest({ id: 'top' }),
      'top/definition.asl.json': {
        QueryLanguage: 'JSONata',
        StartAt: 'A',
        States: { A: { Type: 'Pass', Output: '{% $states.input %}', End: true } },
      },
      'state/workflow.json': manifest({ id: 'state' }),
      'state/definition.asl.json': {
        StartAt: 'A',
        States: { A: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } },
      },
      'expression/workflow.json': manifest({ id: 'expression' }),
      'expression/definition.asl.json': {
        StartAt: 'A',
        States: { A: { Type: 'Pass', Parameters: { 'x.$': '$.y', z: '{% $now() %}' }, End: true } },
      },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      `expression/definition.asl.json: state "A" has a JSONata expression at Parameters.z: ${why}`,
      `state/definition.asl.json: state "A" sets QueryLanguage "JSONata": ${why}`,
      `top/definition.asl.json: the definition sets QueryLanguage "JSONata": ${why}`,
    ]);
  });

  it('refuses placeholders that name no declared step, steps never used, and ${...} that is not exactly one placeholder', () => {
    const definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Resource: '${Restrat}', Next: 'B' },
        B: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'prefix-${Restart}', 'Payload.$': '$' },
          End: true,
        },
      },
    };
    const dir = workflowsFolder(restart({ 'restart/definition.asl.json': definition }));
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart/definition.asl.json: state "A" uses ${Restrat} at Resource, which is not a step declared in workflow.json',
      'restart/definition.asl.json: state "B" has "prefix-${Restart}" at Parameters.FunctionName: a placeholder must be exactly "${StepName}", alone in its string',
      'restart/definition.asl.json: step "Restart" is declared in workflow.json but not used: refer to it as "${Restart}"',
    ]);
  });

  it('reports what asl-validator finds (JSONPath syntax, exclusive fields, misspelt fields) per state', () => {
    const dir = workflowsFolder({
      'a/workflow.json': manifest({ id: 'a' }),
      'a/definition.asl.json': { StartAt: 'A', States: { A: { Type: 'Pass', InputPath: 'not-a-path', End: true } } },
      'b/workflow.json': manifest({ id: 'b' }),
      'b/definition.asl.json': {
        StartAt: 'B',
        States: { B: { Type: 'Wait', Seconds: 1, SecondsPath: '$.s', End: true } },
      },
      'c/workflow.json': manifest({ id: 'c' }),
      'c/definition.asl.json': { StartAt: 'C', States: { C: { Type: 'Succeed', Nxt: 'A' } } },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'a/definition.asl.json: state "A": InputPath must match format "asl_path"',
      'b/definition.asl.json: state "B" must contain exactly one of "Seconds", "SecondsPath", "Timestamp", "TimestampPath"',
      'c/definition.asl.json: state "C": a Succeed state takes no Nxt (it takes InputPath, OutputPath)',
    ]);
  });

  it('refuses handler files that are missing, of another language, or outside the folder, and a definition outside it', () => {
    const dir = workflowsFolder({
      'a/workflow.json': manifest({
        id: 'a',
        definition: '../shared.asl.json',
        steps: {
          Missing: { handler: 'steps/missing.ts' },
          Python: { handler: 'steps/x.py' },
          Away: { handler: '../away.ts' },
        },
      }),
      'a/steps/x.py': 'def handler(event, context): pass\n',
      'shared.asl.json': stepDefinition,
      'away.ts': HANDLER,
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'a/workflow.json: definition "../shared.asl.json" is outside the workflow\'s folder',
      'a/workflow.json: step "Missing" handler "steps/missing.ts" does not exist',
      'a/workflow.json: step "Python" handler "steps/x.py" must be a .ts, .mts, .js, .mjs file',
      'a/workflow.json: step "Away" handler "../away.ts" is outside the workflow\'s folder',
    ]);
  });

  it('accepts a file inside the folder whose name starts with two dots', () => {
    const definition = { StartAt: 'Go', States: { Go: { Type: 'Succeed' } } };
    const dir = workflowsFolder({
      'a/workflow.json': manifest({ id: 'a', definition: '..definition.asl.json' }),
      'a/..definition.asl.json': definition,
    });
    expect(loadWorkflows(dir)).toEqual([expect.objectContaining({ id: 'a', definition })]);
  });

  it('names the position of a JSON parse error, and a definition file that does not exist', () => {
    const dir = workflowsFolder({
      'a/workflow.json': '{\n  "id": "a",\n  "version": "1"\n  "description": "x"\n}\n',
      'b/workflow.json': manifest({ id: 'b', definition: 'missing.asl.json' }),
      'c/workflow.json': manifest({ id: 'c' }),
      'c/definition.asl.json': '',
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      "a/workflow.json: is not valid JSON: Expected ',' or '}' after property value in JSON at position 34 (line 4 column 3)",
      'b/workflow.json: definition "missing.asl.json" does not exist',
      'c/definition.asl.json: is not valid JSON: Unexpected end of JSON input (line 1 column 1)',
    ]);
  });

  it('collects the problems of every folder, at any depth, before throwing, and lists them in the message', () => {
    const dir = workflowsFolder({
      ...restart({ 'restart/workflow.json': manifest({ ...oneStep, descripton: 'typo' }) }),
      'team/deep/other/workflow.json': manifest({ id: 'Other', version: 'v2' }),
      'team/deep/other/definition.asl.json': { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } },
      'node_modules/pkg/workflow.json': '{ not json',
      '.git/workflow.json': '{ not json',
    });
    const problems = [
      'restart/workflow.json: unknown field "descripton"',
      'team/deep/other/workflow.json: id: must be lowercase letters, digits and dashes, starting with a letter, at most 63 characters',
      'team/deep/other/workflow.json: version: must be 1, 1.2 or 1.2.3',
      'team/deep/other/definition.asl.json: state "A" has Next "B", which does not exist',
    ];
    expect(problemsOf(() => loadWorkflows(dir))).toEqual(problems);
    expect(() => loadWorkflows(dir)).toThrow(LockstepError);
    expect(() => loadWorkflows(dir)).toThrow(
      `4 problems in the workflows folder ${dir}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  });

  it('refuses the same id and version in two folders, naming both', () => {
    const dir = workflowsFolder({
      ...restart(),
      'restart-copy/workflow.json': manifest({
        version: '1.0',
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:restart',
        definition: undefined,
      }),
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart-copy/workflow.json: restart@1.0 is also declared by restart/workflow.json (as 1); give one of them a new version',
    ]);
  });

  it('refuses a user workflow that reuses a built-in id, whether loaded alone (a CDK app) or as the catalog (local mode), with the same line', () => {
    const dir = workflowsFolder({
      'my-noop/workflow.json': manifest({ id: 'noop', version: '2' }),
      'my-noop/definition.asl.json': { StartAt: 'A', States: { A: { Type: 'Succeed' } } },
    });
    const line =
      'my-noop/workflow.json: id "noop" may not reuse a built-in id (built-in: fail, noop, restart-ecs-service, wait)';
    expect(problemsOf(() => loadWorkflowCatalog(dir))).toEqual([line]);
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([line]);
  });

  it('refuses a folder with no workflow in it: pointing at the wrong folder must not look like success', () => {
    const dir = workflowsFolder({ 'steps/restart.ts': HANDLER });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      `${dir}: no workflow.json in this folder or in any folder below it`,
    ]);
  });

  it('refuses a step module that does not parse or exports no handler, without running it', () => {
    const dir = workflowsFolder(
      restart({
        'restart/workflow.json': manifest({
          steps: { Restart: { handler: 'steps/restart.ts' }, Verify: { handler: 'steps/verify.mjs' } },
        }),
        'restart/definition.asl.json': {
          StartAt: 'Restart',
          States: {
            Restart: { Type: 'Task', Resource: '${Restart}', Next: 'Verify' },
            Verify: { Type: 'Task', Resource: '${Verify}', End: true },
          },
        },
        'restart/steps/restart.ts': 'export const handler = async (event: unknown) => {\n  return event;\n',
        'restart/steps/verify.mjs':
          'throw new Error("never run at load time");\nexport async function handle(event) { return event; }\n',
      }),
    );
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      expect.stringMatching(/^restart\/steps\/restart\.ts: is not valid TypeScript: .+ \(line 3, column 1\)$/),
      'restart/steps/verify.mjs: exports no handler (exports: handle): a step module must export handler(event, context), as Lambda calls it',
    ]);
  });

  it('refuses a step file that exports nothing at all', () => {
    const dir = workflowsFolder(
      restart({ 'restart/steps/restart.ts': 'const handler = async (event: unknown) => event;\n' }),
    );
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      expect.stringMatching(/^restart\/steps\/restart\.ts: exports no handler \(it exports nothing\)/),
    ]);
  });

  it('accepts a CommonJS step module, whose exports only running it would tell', () => {
    const dir = workflowsFolder(
      restart({
        'restart/workflow.json': manifest({ steps: { Restart: { handler: 'steps/restart.js' } } }),
        'restart/steps/restart.js': 'module.exports.handler = async (event) => event;\n',
      }),
    );
    expect(loadWorkflows(dir)).toHaveLength(1);
  });

  it('still checks the step handlers when workflow.json has other problems, so every problem shows in one run', () => {
    const dir = workflowsFolder(
      restart({
        'restart/workflow.json': manifest({
          ...oneStep,
          extra: 1,
          steps: { Restart: { handler: 'steps/missing.ts' } },
        }),
        'restart/definition.asl.json': stepDefinition,
      }),
    );
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart/workflow.json: unknown field "extra"',
      'restart/workflow.json: step "Restart" handler "steps/missing.ts" does not exist',
    ]);
  });

  it('refuses a handler that is a link to a file outside the folder', () => {
    const outside = workflowsFolder({ 'elsewhere.ts': HANDLER });
    const dir = workflowsFolder(restart());
    rmSync(join(dir, 'restart/steps/restart.ts'));
    symlinkSync(join(outside, 'elsewhere.ts'), join(dir, 'restart/steps/restart.ts'));
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'restart/workflow.json: step "Restart" handler "steps/restart.ts" is outside the workflow\'s folder',
    ]);
  });

  it('does not call a malformed step name unused: its own problem says what is wrong', () => {
    const dir = workflowsFolder(
      restart({ 'restart/workflow.json': manifest({ steps: { 're-start': { handler: 'steps/restart.ts' } } }) }),
    );
    const problems = problemsOf(() => loadWorkflows(dir));
    expect(problems.some((p) => p.includes('step names are letters and digits'))).toBe(true);
    expect(problems.some((p) => p.includes('not used'))).toBe(false);
  });

  it('refuses a field the state type does not take, which the ASL schema lets through (Retry on a Pass, Next on a Succeed)', () => {
    const dir = workflowsFolder({
      'm/workflow.json': manifest({ id: 'm' }),
      'm/definition.asl.json': {
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Retry: [{ ErrorEquals: ['States.ALL'] }], Next: 'B' },
          B: { Type: 'Succeed', Next: 'A' },
        },
      },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'm/definition.asl.json: state "A": a Pass state takes no Retry (it takes Next, End, InputPath, OutputPath, Assign, Parameters, Result, ResultPath)',
      'm/definition.asl.json: state "B": a Succeed state takes no Next (it takes InputPath, OutputPath)',
    ]);
  });

  it('names a state name used twice (in different branches) as the state it is', () => {
    const branch = (end: string) => ({
      StartAt: 'Same',
      States: { Same: { Type: 'Pass', Next: end }, [end]: { Type: 'Succeed' } },
    });
    const dir = workflowsFolder({
      'p/workflow.json': manifest({ id: 'p' }),
      'p/definition.asl.json': {
        StartAt: 'P',
        States: { P: { Type: 'Parallel', Branches: [branch('A'), branch('B')], End: true } },
      },
    });
    expect(problemsOf(() => loadWorkflows(dir))).toEqual([
      'p/definition.asl.json: state "Same": another state has this name too; state names must be unique across the whole definition, branches and item processors included',
    ]);
  });

  it('throws an error that prints as its problems: no stack frames, no field dump', () => {
    const dir = workflowsFolder({ 'a/workflow.json': { id: 'a' } });
    const error = (() => {
      try {
        loadWorkflows(dir);
      } catch (caught) {
        return caught as Error;
      }
    })()!;
    expect(error.stack).toBe(`WorkflowFolderError: ${error.message}`);
    expect(Object.keys(error)).not.toEqual(expect.arrayContaining(['dir']));
    expect(Object.keys(error)).not.toEqual(expect.arrayContaining(['problems']));
  });

  it('refuses a folder that does not exist', () => {
    expect(problemsOf(() => loadWorkflows('/nonexistent/lockstep-workflows'))).toEqual([
      '/nonexistent/lockstep-workflows: is not a folder',
    ]);
  });
});
