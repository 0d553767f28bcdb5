import { type Command, Option } from 'commander';
import type { Target } from '../../contract/api-objects.js';
import { apiAction, decides, withGlobalOptions } from '../command-context.js';
import { CliError, ExitCode } from '../errors.js';
import { positiveInteger } from '../option-parsers.js';
import { renderTable } from '../table.js';
import { targetColumns, targetFields } from '../views.js';

/** The states `GET /targets?state=` lists, in the order `targets` shows them: what needs a person first. */
const LISTED_STATES = ['Blocked', 'AwaitingApproval', 'Running', 'BackingOff', 'CoolingDown'] as const;

/** `targets`, `target`, `clear`. */
export function addTargetCommands(program: Command, env: Record<string, string | undefined>) {
  withGlobalOptions(program.command('targets'))
    .description(
      `List the targets that are not idle: ${LISTED_STATES.join(', ')} (--state: one of them; -o json without --state: one {"items"} document of every listing)`,
    )
    .addOption(new Option('--state <state>', 'only targets in this state').choices(LISTED_STATES))
    .option('--limit <n>', 'at most this many per state (pages are followed)', positiveInteger, 100)
    .addHelpText(
      'after',
      "\nExamples:\n  lockstep targets                  # blocked first, then awaiting approval, running, backing off, cooling down\n  lockstep targets --state Blocked -o json | jq -r '.items[].targetResource'",
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
        // One state's listing is the API's document as it came; all of them are their items in one document.
        const document = { items, ...(options.state && nextToken !== undefined && { nextToken }) };
        if (items.length === 0 && context.format === 'table')
          context.note(
            options.state
              ? `No ${options.state} targets.`
              : 'No targets are busy, awaiting approval, cooling down, backing off or blocked.',
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

  decides(withGlobalOptions(program.command('clear')))
    .description(
      "Clear a blocked target's block, saying why, so that it can be remediated again; the clearer is the identity of your credentials (lockstep whoami)",
    )
    .argument('<target>', 'the blocked target resource')
    .requiredOption('--reason <reason>', "why the block may go (kept in the target's clearances)")
    // Gone with issue 20: kept only to say why, rather than "unknown option".
    .addOption(new Option('--by <who>').hideHelp())
    .addHelpText(
      'after',
      '\nThe clearer is taken from your credentials, never from the command line: an intermediary acting for\nsomeone adds --on-behalf-of PERSON. Needs the operator role. A target that is not blocked is a Conflict: exit 1.\n\nExample:\n  lockstep clear payments/deployment/payments-api --reason "OOM fixed by raising the memory limit (INC-4711)"',
    )
    .action(
      apiAction(env, async (context, targetResource: string, options: { reason: string; by?: string }) => {
        if (options.by !== undefined)
          throw new CliError(
            '--by is not taken: the clearer is the identity of your credentials (lockstep whoami shows it); an intermediary acting for someone uses --on-behalf-of PERSON',
          );
        const target = await context.api.clearBlock(targetResource, {
          reason: options.reason,
          ...(context.onBehalfOf !== undefined && { onBehalfOf: context.onBehalfOf }),
        });
        context.print(target, () => targetFields(target, context.now()));
        return ExitCode.Success;
      }),
    );
}
