import { type Command, Option } from 'commander';
import type { Target } from '../../contract/api-objects.js';
import { apiAction, withGlobalOptions } from '../command-context.js';
import { ExitCode } from '../errors.js';
import { positiveInteger } from '../option-parsers.js';
import { renderTable } from '../table.js';
import { targetColumns, targetFields } from '../views.js';

/** The states `GET /targets?state=` lists, in the order `targets` shows them: what needs a person first. */
const LISTED_STATES = ['Blocked', 'Running', 'BackingOff', 'CoolingDown'] as const;

/** `targets`, `target`, `clear`. */
export function addTargetCommands(program: Command, env: Record<string, string | undefined>) {
  withGlobalOptions(program.command('targets'))
    .description(
      `List the targets that are not idle: ${LISTED_STATES.join(', ')} (--state: one of them; -o json without --state: one {"items"} document of all four listings)`,
    )
    .addOption(new Option('--state <state>', 'only targets in this state').choices(LISTED_STATES))
    .option('--limit <n>', 'at most this many per state (pages are followed)', positiveInteger, 100)
    .addHelpText(
      'after',
      "\nExamples:\n  lockstep targets                  # blocked first, then running, backing off, cooling down\n  lockstep targets --state Blocked -o json | jq -r '.items[].targetResource'",
    )
    .action(
      apiAction(env, async (context, options: { state?: (typeof LISTED_STATES)[number]; limit: number }) => {
        const items: Target[] = [];
        let nextToken: string | undefined;
        for (const state of options.state ? [options.state] : LISTED_STATES) {
          const page = await context.api.listTargets(state, options.limit);
          items.push(...page.items);
          if (page.nextToken !== undefined) {
            nextToken = page.nextToken;
            if (context.format === 'table')
              context.note(`(more ${state} targets: raise --limit above ${options.limit})`);
          }
        }
        // One state's listing is the API's document as it came; all four are their items in one document.
        const document = { items, ...(options.state && nextToken !== undefined && { nextToken }) };
        if (items.length === 0 && context.format === 'table')
          context.note(
            options.state
              ? `No ${options.state} targets.`
              : 'No targets are busy, cooling down, backing off or blocked.',
          );
        else context.print(document, () => renderTable(targetColumns(context.now()), items, context.width));
        return ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('target'))
    .description(
      'Show one target: its state, the time left in a cooldown or backoff, its block and clearances (an unknown target is Idle)',
    )
    .argument('<target>', 'the target resource, as given to run (it is URL-encoded for you)')
    .addHelpText('after', '\nExample:\n  lockstep target payments/deployment/payments-api')
    .action(
      apiAction(env, async (context, targetResource: string) => {
        const target = await context.api.getTarget(targetResource);
        context.print(target, () => targetFields(target, context.now()));
        return ExitCode.Success;
      }),
    );

  withGlobalOptions(program.command('clear'))
    .description("Clear a blocked target's block, saying why, so that it can be remediated again")
    .argument('<target>', 'the blocked target resource')
    .requiredOption('--reason <reason>', "why the block may go (kept in the target's clearances)")
    .option(
      '--by <who>',
      'who clears it (default: you, as $USER@hostname; with SigV4, plus the access key id the call is signed with)',
    )
    .addHelpText(
      'after',
      '\nA target that is not blocked is a Conflict: exit 1.\n\nExample:\n  lockstep clear payments/deployment/payments-api --reason "OOM fixed by raising the memory limit (INC-4711)"',
    )
    .action(
      apiAction(env, async (context, targetResource: string, options: { reason: string; by?: string }) => {
        const clearedBy = options.by ?? (await context.connection.identity());
        const target = await context.api.clearBlock(targetResource, { clearedBy, reason: options.reason });
        context.print(target, () => targetFields(target, context.now()));
        return ExitCode.Success;
      }),
    );
}
