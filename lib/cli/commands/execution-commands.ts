import type { Command } from 'commander';
import type { Execution } from '../../contract/api-objects.js';
import { Phase } from '../../domain/phase.js';
import { apiAction, type CommandContext, decides, withGlobalOptions } from '../command-context.js';
import { ApiError, CliError, ExitCode } from '../errors.js';
import { followExecution } from '../follow.js';
import type { ExecutionListQuery } from '../lockstep-api.js';
import { collectParameter, idempotencyKey, positiveInteger } from '../option-parsers.js';
import { renderTable } from '../table.js';
import { parseTimeInput } from '../time-input.js';
import { eventColumns, executionColumns, executionFields, phaseOf, stepColumns } from '../views.js';

/** What `ls` lists across targets when neither `--since` nor an active `--phase` says. */
const DEFAULT_WINDOW = '24h';

/** The phases `GET /executions?phase=` lists across targets without a time window. */
const ACTIVE_PHASES: ReadonlySet<string> = new Set([Phase.AwaitingApproval, Phase.Pending, Phase.Running]);

/** `run`, `get`, `events`, `wait`, `cancel`, `ls`. */
export function addExecutionCommands(program: Command, env: Record<string, string | undefined>) {
  decides(withGlobalOptions(program.command('run')))
    .description(
      'Request an execution of WORKFLOW against TARGET; with --wait, follow it to its end (phase changes on standard error)',
    )
    .argument('<workflow>', 'the workflow id (lockstep workflows lists them)')
    .argument('<target>', 'the target resource: namespace/kind/name, kind/name or an ARN')
    .option('-p, --param <KEY=VALUE>', 'a parameter of the workflow (repeat for each)', collectParameter)
    .option('--version <version>', 'the workflow version (default: the latest)')
    .option('--correlation-id <id>', 'ties the execution to your alert or ticket')
    .option(
      '--idempotency-key <key>',
      'the same key returns the same execution for 24 hours instead of a second one (1-255 printable ASCII characters)',
      idempotencyKey,
    )
    .option('--timeout <seconds>', 'stop the run after this many seconds', positiveInteger)
    .option(
      '--wait',
      'follow the execution to its end (through its approval, when its workflow needs one); exit 0 Completed, 2 Failed',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 requested, or awaiting approval (with --wait: Completed); 2 with --wait, it ended Failed
(Rejected and ApprovalExpired included); 3 refused (Skipped: the target is busy, cooling down, backing off
or blocked; the Skipped execution is printed); 1 any other error.

A workflow whose policy needs approval is admitted as AwaitingApproval: it holds the target, and runs once
an operator other than you runs 'lockstep approve ID'.

Examples:
  lockstep run wait payments/deployment/payments-api -p SECONDS=30 --correlation-id rr-123 --wait
  lockstep run restart-deployment payments/deployment/payments-api --idempotency-key alert-4711 -o json | jq -r .id`,
    )
    .action(
      apiAction(env, async (context, workflowId: string, targetResource: string, options: RunOptions) => {
        const answer = await context.api.requestExecution(
          {
            targetResource,
            workflowId,
            ...(options.version !== undefined && { workflowVersion: options.version }),
            ...(options.param && { parameters: options.param }),
            ...(options.correlationId !== undefined && { correlationId: options.correlationId }),
            ...(options.timeout !== undefined && { timeoutSeconds: options.timeout }),
            ...(context.onBehalfOf !== undefined && { onBehalfOf: context.onBehalfOf }),
          },
          options.idempotencyKey,
        );
        if (!answer.created) {
          context.print(answer.execution, () => executionFields(answer.execution, context.now()));
          const skip = answer.execution.skipDetails;
          context.note(`refused: ${skip?.reason ?? 'Skipped'}: ${skip?.message ?? 'the execution was skipped'}`);
          return ExitCode.Refused;
        }
        const execution = options.wait ? await follow(context, answer.execution) : answer.execution;
        context.print(execution, () => executionFields(execution, context.now()));
        if (!options.wait && execution.phase === Phase.AwaitingApproval) context.note(awaitingApproval(execution));
        return options.wait ? exitCodeOf(execution) : ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('get'))
    .description('Show one execution; with --steps, the steps Step Functions ran (-o json: the steps document)')
    .argument('<id>', 'the execution id')
    .option('--steps', 'the steps of the run, in order (GET /executions/{id}/steps)')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep get 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11\n  lockstep get 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11 --steps -o json | jq \'.items[] | select(.status == "Failed")\'',
    )
    .action(
      apiAction(env, async (context, id: string, options: { steps?: boolean }) => {
        const execution = await context.api.getExecution(id);
        if (!options.steps) {
          context.print(execution, () => executionFields(execution, context.now()));
          return ExitCode.Success;
        }
        const steps = await context.api.steps(id).catch((error: unknown) => {
          if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
            throw new ApiError(
              error.status,
              error.code,
              `this API does not serve the steps of an execution (GET /executions/{id}/steps); the server is older than this command: ${error.message}`,
            );
          }
          throw error;
        });
        context.print(
          steps,
          () =>
            `${executionFields(execution, context.now())}\n${steps.items.length > 0 ? renderTable(stepColumns(), steps.items, context.width) : 'No steps ran.\n'}`,
        );
        return ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('events'))
    .description("An execution's audit events, in the order they happened")
    .argument('<id>', 'the execution id')
    .addHelpText('after', '\nExample:\n  lockstep events 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11')
    .action(
      apiAction(env, async (context, id: string) => {
        const events = await context.api.events(id);
        context.print(events, () => renderTable(eventColumns(), events.items, context.width));
        return ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('wait'))
    .description('Follow an execution to its end, printing each phase change on standard error, then the execution')
    .argument('<id>', 'the execution id')
    .addHelpText(
      'after',
      `
Exit codes: 0 Completed; 2 Failed (a cancelled execution ends Failed with reason Cancelled); 3 Skipped
(it was refused); 1 any other error.

Example:
  lockstep wait 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11 && echo remediated`,
    )
    .action(
      apiAction(env, async (context, id: string) => {
        const execution = await follow(context, id);
        context.print(execution, () => executionFields(execution, context.now()));
        return exitCodeOf(execution);
      }),
    );

  decides(withGlobalOptions(program.command('cancel')))
    .description(
      'Cancel an execution: stop its run, or end it if it has not started or awaits approval (it ends Failed with reason Cancelled)',
    )
    .argument('<id>', 'the execution id')
    .addHelpText(
      'after',
      '\nAn execution that already ended (or that finished before the stop took effect) is a Conflict: exit 1.\n\nExample:\n  lockstep cancel 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11',
    )
    .action(
      apiAction(env, async (context, id: string) => {
        const execution = await context.api.cancel(id, context.onBehalfOf);
        context.print(execution, () => executionFields(execution, context.now()));
        return ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('ls'))
    .description(
      `List executions, newest first: one target's (--target), the active ones across targets (--phase AwaitingApproval, Pending or Running), or those created in a time window (--since, default ${DEFAULT_WINDOW})`,
    )
    .option('--target <target>', "one target's executions")
    .option('--phase <phase>', 'only this phase: AwaitingApproval, Pending, Running, Completed, Failed or Skipped')
    .option(
      '--since <time>',
      `across targets: created since a duration ago (30s, 30m, 1h, 2d, 1w) or an RFC 3339 time (default ${DEFAULT_WINDOW} unless --phase is AwaitingApproval, Pending or Running)`,
    )
    .option('--until <time>', 'across targets: created before this (same forms; default now)')
    .option('--workflow <id>', 'across targets: only this workflow')
    .option('--limit <n>', 'at most this many (pages are followed)', positiveInteger, 20)
    .addHelpText(
      'after',
      `
Examples:
  lockstep ls --phase Running                       # what runs now, across targets
  lockstep ls --phase AwaitingApproval              # what awaits a decision (lockstep approve ID)
  lockstep ls --since 2h --phase Failed             # what failed in the last two hours
  lockstep ls --since 2026-01-31T08:00:00Z --workflow restart-deployment --limit 200
  lockstep ls --target payments/deployment/payments-api -o json | jq -r '.items[].id'`,
    )
    .action(
      apiAction(env, async (context, options: ListOptions) => {
        const page = await context.api.listExecutions(listQuery(options, context.now()), options.limit);
        if (page.items.length === 0 && context.format === 'table') context.note('No executions.');
        else context.print(page, () => renderTable(executionColumns(context.now()), page.items, context.width));
        if (page.nextToken !== undefined && context.format === 'table')
          context.note(`(more: raise --limit above ${options.limit})`);
        return ExitCode.Success;
      }),
    );
}

interface RunOptions {
  param?: Record<string, string>;
  version?: string;
  correlationId?: string;
  idempotencyKey?: string;
  timeout?: number;
  wait?: boolean;
}

interface ListOptions {
  target?: string;
  phase?: string;
  since?: string;
  until?: string;
  workflow?: string;
  limit: number;
}

/** The listing route's query: one target's, or across targets (the active ones, or a time window). */
export function listQuery(options: Omit<ListOptions, 'limit'>, now: Date): ExecutionListQuery {
  if (options.target !== undefined) {
    const acrossOnly = (['since', 'until', 'workflow'] as const).filter((name) => options[name] !== undefined);
    if (acrossOnly.length > 0)
      throw new CliError(
        `${acrossOnly.map((name) => `--${name}`).join(', ')} list across targets: leave out --target (with --target, only --phase and --limit apply)`,
      );
    return { targetResource: options.target, ...(options.phase !== undefined && { phase: options.phase }) };
  }
  const active = options.phase !== undefined && ACTIVE_PHASES.has(options.phase);
  const since = options.since ?? (active ? undefined : DEFAULT_WINDOW);
  return {
    ...(options.phase !== undefined && { phase: options.phase }),
    ...(since !== undefined && { since: parseTimeInput(since, now, '--since') }),
    ...(options.until !== undefined && { until: parseTimeInput(options.until, now, '--until') }),
    ...(options.workflow !== undefined && { workflowId: options.workflow }),
  };
}

/** Follows an execution, a line per phase change on standard error: `  1.2s  Running`. */
async function follow(context: CommandContext, start: Execution | string): Promise<Execution> {
  let announced = false;
  return followExecution(context.api, start, {
    onPhase: (execution, elapsed) => {
      if (!announced)
        context.note(
          `execution ${execution.id}: ${execution.workflowId}@${execution.workflowVersion} on ${execution.targetResource}`,
        );
      announced = true;
      const why = execution.failureDetails?.message ?? execution.skipDetails?.message;
      context.note(`${elapsed.toFixed(1).padStart(7)}s  ${phaseOf(execution)}${why ? `: ${why}` : ''}`);
      if (execution.phase === Phase.AwaitingApproval) context.note(awaitingApproval(execution));
    },
  });
}

/** What an execution awaiting approval waits for, and the command that decides it. */
function awaitingApproval(execution: Execution): string {
  const needed = execution.approval?.approvalsNeeded ?? 1;
  const by = execution.approval?.requiredBy ? ` by ${execution.approval.requiredBy}` : '';
  return `awaiting approval: ${needed === 1 ? 'one operator' : `${needed} operators`} other than the requester must run 'lockstep approve ${execution.id}'${by} (or 'lockstep reject ${execution.id} --comment ...')`;
}

/** 0 Completed, 2 Failed, 3 Skipped. */
function exitCodeOf(execution: Execution): ExitCode {
  switch (execution.phase) {
    case Phase.Completed:
      return ExitCode.Success;
    case Phase.Failed:
      return ExitCode.Failed;
    case Phase.Skipped:
      return ExitCode.Refused;
    default:
      return ExitCode.Error;
  }
}
