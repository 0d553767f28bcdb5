import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWorkflows, WorkflowFolderError } from '../../../lib/workflows/load-workflows.js';

const folders: string[] = [];
afterEach(() => folders.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function problemsOfFolder(definition: unknown): readonly string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-workflows-'));
  folders.push(dir);
  const files = {
    'a/workflow.json': { id: 'a', version: '1', description: 'x', definition: 'd.json' },
    'a/d.json': definition,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(content));
  }
  try {
    loadWorkflows(dir);
  } catch (error) {
    if (error instanceof WorkflowFolderError) return error.problems;
    throw error;
  }
  return [];
}

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const machine = (states: Record<string, unknown>) => ({ StartAt: Object.keys(states)[0], States: states });
/** 2^31-1 ms, the longest delay local mode's interpreter can time, in whole seconds. */
const LIMIT = 2_147_483;

describe('one set of checks, run everywhere: what local mode cannot run, validate refuses', () => {
  it.each([
    [
      'a Retry whose wait could grow past the local timer limit',
      machine({
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3600, MaxAttempts: 20 }],
          End: true,
        },
      }),
      new RegExp(
        `^a/d\\.json: state "T", Retry #1: the wait before a retry could reach .* set MaxDelaySeconds to at most ${LIMIT}$`,
      ),
    ],
    [
      'the same on a Parallel inside a Map',
      machine({
        M: {
          Type: 'Map',
          ItemProcessor: machine({
            P: {
              Type: 'Parallel',
              Branches: [machine({ X: { Type: 'Pass', End: true } })],
              Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 99_999_999 }],
              End: true,
            },
          }),
          End: true,
        },
      }),
      /^a\/d\.json: state "P", Retry #1: .*MaxDelaySeconds/,
    ],
    [
      'a TimeoutSecondsPath into the context object',
      machine({ T: { Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$$.Execution.Input.t', End: true } }),
      /^a\/d\.json: state "T": a TimeoutSecondsPath into the context object \(\$\$\.Execution\.Input\.t\) is not supported in local mode$/,
    ],
  ])('refuses %s, with the line local mode gives', (_case, definition, line) => {
    expect(problemsOfFolder(definition)).toEqual([expect.stringMatching(line)]);
  });

  it('accepts a long Retry held under the limit by MaxDelaySeconds', () => {
    expect(
      problemsOfFolder(
        machine({
          T: {
            Type: 'Task',
            Resource: LAMBDA,
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 3600, MaxAttempts: 20, MaxDelaySeconds: 86_400 }],
            End: true,
          },
        }),
      ),
    ).toEqual([]);
  });
});
