#!/usr/bin/env node
// The `lockstep` command (API.md, "The `lockstep` command"). Exit codes: 0 success, 1 usage or
// any other error (commander's own for usage), 2 an execution ended Failed, 3 a request was refused.
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { ENVIRONMENT } from '../contract/environment.js';
import { withGlobalOptions, withOnBehalfOfOption } from './command-context.js';
import { addApprovalCommands } from './commands/approval-commands.js';
import { addExecutionCommands } from './commands/execution-commands.js';
import { addTargetCommands } from './commands/target-commands.js';
import { addUiCommand } from './commands/ui-command.js';
import { addWhoamiCommand } from './commands/whoami-command.js';
import { addWorkflowCommands } from './commands/workflow-commands.js';
import { ApiError, CliError, ExitCode } from './errors.js';
import { unsupportedNode } from './node-version.js';

const { version, engines } = createRequire(import.meta.url)('lockstep/package.json') as {
  version: string;
  engines: { node: string };
};
const tooOld = unsupportedNode(process.version, engines.node);
if (tooOld) {
  process.stderr.write(`error: ${tooOld}\n`);
  process.exit(ExitCode.Error);
}
// The environment is read here, once, and handed to the commands.
const env: Record<string, string | undefined> = { ...process.env };

// Positional options: the program's options go before the command, the command's after it, so
// that `run --version V` is the workflow's version; the global options are declared on both.
const program = withOnBehalfOfOption(withGlobalOptions(new Command('lockstep')))
  .description('Lockstep: one workflow per target at a time, with cooldown, backoff and blocks, on AWS Step Functions')
  .version(version)
  .enablePositionalOptions()
  .configureHelp({ showGlobalOptions: true })
  .addHelpText(
    'after',
    `
Exit codes: 0 success (run: requested, or awaiting approval; run --wait, wait: Completed); 2 the execution
ended Failed (Rejected and ApprovalExpired included); 3 the request was refused (Skipped); 1 anything else
(a 403 among them), with the API's error on standard error and nothing on standard output.

Examples:
  lockstep local                                      # the whole engine on this machine, as npm start
  lockstep run wait shop/deployment/checkout -p SECONDS=5 --wait --token "$TOKEN"
  lockstep approve 0b6f1c52-5d0e-4c1f-9a51-6f0a3c7e2d11 --comment "checked the dashboard"
  lockstep ls --phase Running --api https://abc123.execute-api.eu-west-1.amazonaws.com/v1   # signed with SigV4`,
  );

program
  .command('local')
  .configureHelp({ showGlobalOptions: false })
  .description(
    'Run the whole engine on this machine: DynamoDB Local, Step Functions and EventBridge endpoints, the HTTP API, the sweeper (configured by the environment of API.md)',
  )
  .option('--workflows <dir>', 'your workflows folder, beside the built-in workflows (LOCKSTEP_WORKFLOWS_DIR)')
  .addHelpText('after', '\nExample:\n  PORT=4000 LOCKSTEP_DATA_DIR=.lockstep lockstep local --workflows ./workflows')
  .action(async (options: { workflows?: string }) => {
    // Loaded here, not with the command: the API commands start without the engine.
    const { runLocalMode } = await import('../local/run-local-mode.js');
    await runLocalMode({ ...process.env, ...(options.workflows && { [ENVIRONMENT.workflowsDir]: options.workflows }) });
  });

addExecutionCommands(program, env);
addApprovalCommands(program, env);
addTargetCommands(program, env);
addWorkflowCommands(program, env);
addWhoamiCommand(program, env);
addUiCommand(program, env);
pointToHelpAfterUsageErrors(program);

// A reader that stops early (`lockstep ls | head -1`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? ExitCode.Success);
});

/** As `gh` and `git` do: a usage error prints the error and where the help is (`Run 'lockstep run --help' for usage.`), not the whole help. */
function pointToHelpAfterUsageErrors(command: Command, parents: string[] = []): void {
  const names = [...parents, command.name()];
  command.showHelpAfterError(`Run '${names.join(' ')} --help' for usage.`);
  for (const subcommand of command.commands) pointToHelpAfterUsageErrors(subcommand, names);
}

try {
  await program.parseAsync();
} catch (error) {
  // Errors go to standard error, never a stack trace; standard output stays empty.
  if (error instanceof ApiError) process.stderr.write(`${error.describe()}\n`);
  else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : ExitCode.Error;
}
