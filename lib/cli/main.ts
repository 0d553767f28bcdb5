#!/usr/bin/env node
// The `lockstep` command (API.md, "The `lockstep` command"). Exit codes: 0 success, 1 usage or
// any other error (commander's own for usage), 2 an execution ended Failed, 3 a request was refused.
import { createRequire } from 'node:module';
import { Command } from 'commander';
import { runLocalMode } from '../local/run-local-mode.js';

const { version } = createRequire(import.meta.url)('lockstep/package.json') as { version: string };

const program = new Command('lockstep')
  .description('Lockstep: one workflow per target at a time, with cooldown, backoff and blocks, on AWS Step Functions')
  .version(version)
  .showHelpAfterError()
  .addHelpText('after', '\nExample:\n  lockstep local              # the whole engine on this machine, as npm start');

program
  .command('local')
  .description('Run the whole engine on this machine: DynamoDB Local, Step Functions and EventBridge endpoints, the HTTP API, the sweeper (configured by the environment of API.md)')
  .addHelpText('after', '\nExample:\n  PORT=4000 LOCKSTEP_DATA_DIR=.lockstep lockstep local')
  .action(() => runLocalMode(process.env));

await program.parseAsync();
