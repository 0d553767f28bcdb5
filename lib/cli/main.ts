#!/usr/bin/env node
// The `lockstep` command (API.md, "The `lockstep` command"). Exit codes: 0 success, 1 usage or
// any other error (commander's own for usage), 2 an execution ended Failed, 3 a request was refused.
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { runLocalMode } from '../local/run-local-mode.js';
import { WorkflowFolderError, loadWorkflowCatalog } from '../workflows/load-workflows.js';

const { version } = createRequire(import.meta.url)('lockstep/package.json') as { version: string };

const program = new Command('lockstep')
  .description('Lockstep: one workflow per target at a time, with cooldown, backoff and blocks, on AWS Step Functions')
  .version(version)
  .showHelpAfterError()
  .addHelpText('after', '\nExample:\n  lockstep local              # the whole engine on this machine, as npm start');

program
  .command('local')
  .description('Run the whole engine on this machine: DynamoDB Local, Step Functions and EventBridge endpoints, the HTTP API, the sweeper (configured by the environment of API.md)')
  .option('--workflows <dir>', 'your workflows folder, beside the built-in workflows (LOCKSTEP_WORKFLOWS_DIR)')
  .addHelpText('after', '\nExample:\n  PORT=4000 LOCKSTEP_DATA_DIR=.lockstep lockstep local --workflows ./workflows')
  .action((options: { workflows?: string }) => runLocalMode({ ...process.env, ...(options.workflows && { LOCKSTEP_WORKFLOWS_DIR: options.workflows }) }));

const workflows = program.command('workflows').description('The workflow catalog');
workflows
  .command('validate')
  .argument('<dir>', 'a folder of workflow folders, each holding a workflow.json')
  .description('Check a workflows folder offline, as local mode and the CDK app do before they start: the schema, the definitions, the steps')
  .addHelpText('after', '\nExample:\n  lockstep workflows validate ./workflows   # exit 0 and one line per workflow; else exit 1 and one line per problem')
  .action((dir: string) => {
    try {
      for (const w of loadWorkflowCatalog(dir).filter((version) => !version.builtIn)) {
        console.log(`${w.id}@${w.version}  ${w.digest}  ${w.description}`);
      }
    } catch (error) {
      if (!(error instanceof WorkflowFolderError)) throw error;
      for (const problem of error.problems) process.stderr.write(`${problem}\n`);
      process.exitCode = 1;
    }
  });

await program.parseAsync();
