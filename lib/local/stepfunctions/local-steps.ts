import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { LockstepError } from '../../domain/errors.js';
import { STEP_DEFAULTS, type WorkflowStep, type WorkflowVersion } from '../../domain/workflow-version.js';
import { stepFunctionName } from '../../workflows/catalog.js';
import { resolveStepPlaceholders } from '../../workflows/validate-definition.js';
import { LOCAL_REGION } from '../dynamodb-local.js';
import type { TaskHandler } from './local-step-functions.js';
import { stateError } from './timed-handlers.js';

/** The Lambda service integration; one resource for every step, dispatched on `FunctionName`. */
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';

const LOCAL_LAMBDA_ARN_PREFIX = `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:`;
/** A full or partial Lambda ARN, or a bare name, with an optional version or alias. */
const FUNCTION_NAME =
  /^(?:arn:[^:]+:lambda:[^:]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/;

/** Step handler modules that cannot run: every problem at once, each naming its file. */
export class StepLoadError extends LockstepError {
  constructor(readonly problems: readonly string[]) {
    super(
      `${problems.length} step handler${problems.length === 1 ? '' : 's'} could not be loaded:\n${problems.map((p) => `  ${p.replace(/\n/g, '\n    ')}`).join('\n')}`,
    );
  }
}

export interface LocalSteps {
  /** The definition to hand CreateStateMachine, with every `${Name}` replaced by that step's local Lambda ARN. */
  definitionFor(workflow: Pick<WorkflowVersion, 'id' | 'version' | 'definition'>): string;
  /** Handlers by Task resource for `LocalStepFunctionsOptions.taskHandlers`: each step's local ARN, and `LAMBDA_INVOKE`. */
  taskHandlers: Record<string, TaskHandler>;
}

/** The ARN a step's `${Name}` resolves to in local mode. */
export const localStepArn = (workflow: Pick<WorkflowVersion, 'id' | 'version'>, step: string): string =>
  `${LOCAL_LAMBDA_ARN_PREFIX}${stepFunctionName(workflow, step)}`;

/** What a step handler receives as its second argument: the fields of Lambda's context a handler reads. */
export interface StepContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

type StepHandler = (event: unknown, context: StepContext) => unknown;

interface LoadedStep {
  functionName: string;
  arn: string;
  timeoutSeconds: number;
  memorySize: number;
  handler: StepHandler;
}

/**
 * Loads every step handler of `workflows` in this process, now rather than on first call:
 * a step that cannot load (syntax error, missing file, no `handler` export) stops local
 * mode at start with its file named, instead of failing an execution later. Each module
 * is loaded once and its top-level code runs once, as a Lambda's init does.
 */
export async function localSteps(workflows: readonly WorkflowVersion[]): Promise<LocalSteps> {
  const files = new Map<string, Promise<StepHandler>>();
  const declared = workflows.flatMap((workflow) => workflow.steps.map((step) => ({ workflow, step })));
  for (const { step } of declared) if (!files.has(step.handler)) files.set(step.handler, loadHandler(step.handler));
  const outcomes = await Promise.allSettled(declared.map(({ step }) => files.get(step.handler)!));

  const problems: string[] = [];
  const byName = new Map<string, LoadedStep>();
  outcomes.forEach((outcome, i) => {
    const { workflow, step } = declared[i]!;
    if (outcome.status === 'rejected')
      problems.push(
        `workflow ${workflow.id} v${workflow.version}, step "${step.name}": ${(outcome.reason as Error).message}`,
      );
    else byName.set(stepFunctionName(workflow, step.name), loaded(workflow, step, outcome.value));
  });
  if (problems.length > 0) throw new StepLoadError([...new Set(problems)]);

  const taskHandlers: Record<string, TaskHandler> = Object.create(null);
  for (const step of byName.values()) taskHandlers[step.arn] = (input) => invoke(step, input, randomUUID());
  taskHandlers[LAMBDA_INVOKE] = (input) => invokeByName(byName, input);

  const versions = new Set(workflows.map((w) => `${w.id}@${w.version}`));
  return {
    definitionFor(workflow) {
      if (!versions.has(`${workflow.id}@${workflow.version}`))
        throw new LockstepError(
          `workflow ${workflow.id} v${workflow.version} was not given to localSteps: its steps are not loaded`,
        );
      if (workflow.definition === undefined)
        throw new LockstepError(`workflow ${workflow.id} v${workflow.version} has no definition for local mode to run`);
      return JSON.stringify(
        resolveStepPlaceholders(workflow.definition, (step) => {
          if (!byName.has(stepFunctionName(workflow, step)))
            throw new LockstepError(
              `workflow ${workflow.id} v${workflow.version} refers to \${${step}}, which is not a declared step`,
            );
          return localStepArn(workflow, step);
        }),
      );
    },
    taskHandlers,
  };
}

function loaded(workflow: WorkflowVersion, step: WorkflowStep, handler: StepHandler): LoadedStep {
  const functionName = stepFunctionName(workflow, step.name);
  return {
    functionName,
    arn: localStepArn(workflow, step.name),
    timeoutSeconds: step.timeoutSeconds ?? STEP_DEFAULTS.timeoutSeconds,
    memorySize: step.memorySize ?? STEP_DEFAULTS.memorySize,
    handler,
  };
}

/**
 * TypeScript through tsx's API, which registers its own scoped loader: it works whether or
 * not the process runs under `node --import tsx` (the compiled package does not).
 */
async function loadHandler(file: string): Promise<StepHandler> {
  const url = pathToFileURL(file).href;
  let module: Record<string, unknown>;
  try {
    module = /\.m?ts$/.test(file) ? await tsImport(url, import.meta.url) : await import(url);
  } catch (error) {
    throw new LockstepError(`${file} cannot be loaded: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  // A CommonJS `.js` step may come back with its exports as the default.
  const handler = module.handler ?? (module.default as Record<string, unknown> | undefined)?.handler;
  if (typeof handler !== 'function')
    throw new LockstepError(`${file} exports no handler function: a step module must export handler(event, context)`);
  return handler as StepHandler;
}

/**
 * One invocation, as Lambda runs it: the event and the result go through JSON, and the
 * step's timeout ends the invocation (the handler's promise is abandoned; in-process code
 * cannot be killed). A thrown error becomes the state's error: its `name` the Error,
 * its `message` the Cause.
 */
async function invoke(step: LoadedStep, event: unknown, awsRequestId: string): Promise<unknown> {
  const timeoutMs = step.timeoutSeconds * 1000;
  const deadline = performance.now() + timeoutMs;
  const context: StepContext = {
    functionName: step.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: step.arn,
    memoryLimitInMB: String(step.memorySize),
    awsRequestId,
    logGroupName: `/aws/lambda/${step.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
  };
  let timer: NodeJS.Timeout | undefined;
  // What Lambda reports for a function that runs out of time (a function error, so States.TaskFailed matches it).
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          stateError(
            'Sandbox.Timedout',
            `RequestId: ${awsRequestId} Error: Task timed out after ${step.timeoutSeconds.toFixed(2)} seconds`,
          ),
        ),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => step.handler(viaJson(event), context)), timedOut]);
    return viaJson(result);
  } catch (error) {
    throw asStateError(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `arn:aws:states:::lambda:invoke`: the step named by `FunctionName` (its local ARN, or its
 * name) gets `Payload`, and the Task's result has the integration's shape. A function error
 * keeps the function's error name, as on AWS; `Lambda.`-prefixed names are the service's own.
 */
async function invokeByName(steps: ReadonlyMap<string, LoadedStep>, input: unknown): Promise<unknown> {
  const { FunctionName: target, Payload: payload } = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  const name = typeof target === 'string' ? FUNCTION_NAME.exec(target)?.[1] : undefined;
  const step = name === undefined ? undefined : steps.get(name);
  if (!step)
    throw stateError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${JSON.stringify(target) ?? 'no FunctionName'} (local mode runs only the steps declared by the loaded workflows)`,
    );
  const requestId = randomUUID();
  const result = await invoke(step, payload === undefined ? {} : payload, requestId);
  const headers = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: result,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

/** What JSON carries of `value` (undefined, functions and symbols become null, as Lambda serializes them). */
function viaJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

/** A fresh error, so nothing of the thrown one (its own `cause`, getters) changes what the interpreter reports. */
function asStateError(error: unknown): Error {
  if (!(error instanceof Error)) return stateError('Error', String(error));
  return stateError(typeof error.name === 'string' && error.name !== '' ? error.name : 'Error', String(error.message));
}
