import type { Command } from 'commander';
import { apiAction, withGlobalOptions } from '../command-context.js';
import { ExitCode } from '../errors.js';
import { renderFields } from '../table.js';

/** `whoami`: who the API takes the caller to be (`GET /identity`), as every decision records it. */
export function addWhoamiCommand(program: Command, env: Record<string, string | undefined>) {
  withGlobalOptions(program.command('whoami'))
    .description(
      'Show who the API takes you to be (GET /identity): the identity recorded on your decisions, your role (local mode), whether you are an intermediary',
    )
    .addHelpText(
      'after',
      `
On AWS the answer has no role: IAM decides what each principal may call (the construct's grant* methods).

Examples:
  lockstep whoami
  lockstep whoami -o json | jq -r .identity`,
    )
    .action(
      apiAction(env, async (context) => {
        const identity = await context.api.identity();
        context.print(identity, () =>
          renderFields([
            ['Identity', identity.identity],
            ['Role', identity.role ?? '(not given: IAM decides what you may call)'],
            ['Intermediary', identity.intermediary ? 'yes (may act --on-behalf-of a person)' : 'no'],
          ]),
        );
        return ExitCode.Success;
      }),
    );
}
