import type { Command } from 'commander';
import type { Execution } from '../../contract/api-objects.js';
import { apiAction, type CommandContext, decides, withGlobalOptions } from '../command-context.js';
import { ExitCode } from '../errors.js';
import { approvalComment } from '../option-parsers.js';
import { executionFields } from '../views.js';

/** `approve`, `reject`: an approval decision on an execution that awaits approval (`POST /executions/{id}/approval`). */
export function addApprovalCommands(program: Command, env: Record<string, string | undefined>) {
  decides(withGlobalOptions(program.command('approve')))
    .description(
      'Approve an execution that awaits approval; once the approvals it needs are in, it starts (needs the operator role; never the requester)',
    )
    .argument('<id>', 'the execution id (lockstep ls --phase AwaitingApproval lists them)')
    .option('--comment <text>', 'why (kept with the decision; 1-1024 characters)', approvalComment)
    .addHelpText(
      'after',
      `
The requester may not approve their own request (403); each person decides once (409). Exit 0 when
the decision was recorded; 1 otherwise, with the API's message.

Example:
  lockstep approve 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11 --comment "checked the dashboard; the pod is stuck"`,
    )
    .action(
      apiAction(env, async (context, id: string, options: { comment?: string }) =>
        decide(context, id, 'approve', options.comment),
      ),
    );

  decides(withGlobalOptions(program.command('reject')))
    .description('Reject an execution that awaits approval, saying why: it ends Failed (Rejected) and nothing runs')
    .argument('<id>', 'the execution id')
    .requiredOption(
      '--comment <text>',
      'why (required to reject; kept with the decision; 1-1024 characters)',
      approvalComment,
    )
    .addHelpText(
      'after',
      `
A rejected execution leaves the target as it was before the request (no cooldown, no backoff, no block).

Example:
  lockstep reject 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11 --comment "not during the sale; restart after 18:00"`,
    )
    .action(
      apiAction(env, async (context, id: string, options: { comment: string }) =>
        decide(context, id, 'reject', options.comment),
      ),
    );
}

async function decide(
  context: CommandContext,
  id: string,
  decision: 'approve' | 'reject',
  comment: string | undefined,
): Promise<ExitCode> {
  const execution = await context.api.decide(id, {
    decision,
    ...(comment !== undefined && { comment }),
    ...(context.onBehalfOf !== undefined && { onBehalfOf: context.onBehalfOf }),
  });
  context.print(execution, () => executionFields(execution, context.now()));
  context.note(afterDecision(execution));
  return ExitCode.Success;
}

/** What the decision did: still waiting (and for how many), started, or ended. */
function afterDecision(execution: Execution): string {
  if (execution.phase === 'AwaitingApproval') {
    const approvals = execution.approval?.decisions.filter((d) => d.decision === 'approve').length ?? 0;
    return `recorded: ${approvals} of ${execution.approval?.approvalsNeeded ?? '?'} approvals; it still awaits approval`;
  }
  if (execution.phase === 'Failed') return `recorded: the execution ended Failed (${execution.failureDetails?.reason})`;
  return `recorded: approved; the execution is ${execution.phase} (lockstep wait ${execution.id} follows it)`;
}
