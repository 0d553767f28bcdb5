// Local mode as a program: configuration from the environment, the start with progress,
// the endpoint lines, and a graceful stop on SIGTERM, SIGINT or the exit of whoever started
// it. Both `npm start` (lib/local/main.ts) and `lockstep local` (lib/cli) run this.

import { ConfigurationError, readLocalConfig } from '../contract/environment.js';
import { ENGINE_BUS_NAME } from '../contract/events.js';
import { statusPageUrl } from '../ui/status-page.js';
import { WorkflowFolderError } from '../workflows/load-workflows.js';
import { JavaMissingError } from './dynamodb-local.js';
import { type LocalMode, startLocalMode } from './local-mode.js';
import { StepLoadError } from './stepfunctions/local-steps.js';

const say = (line: string) => process.stderr.write(`lockstep: ${line}\n`);

/** Each line of the message its own `lockstep:` line (a refused tokens file names one problem a line). */
function exitWith(message: string): never {
  for (const line of message.split('\n')) say(line);
  process.exit(1);
}

/** Runs local mode until a signal or the parent's exit stops it; exits the process with 1 on a bad start. */
export async function runLocalMode(env: Record<string, string | undefined>): Promise<void> {
  let config;
  try {
    config = readLocalConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) exitWith(error.message);
    throw error;
  }

  let local: LocalMode | undefined;
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}, stopping`);
    await local?.stop();
    say('stopped');
    process.exit(0);
  };
  // Ctrl-C reaches npm and this process alike, and npm relays it once more: a repeated signal must
  // not cut the graceful stop short (the stop is bounded: Java is killed after 5 s).
  process.on('SIGINT', () => void shutdown('SIGINT received'));
  process.on('SIGTERM', () => void shutdown('SIGTERM received'));
  // Whoever started this process is gone (npm killed, a shell in between signalled): this process
  // was reparented. Nothing should keep serving without its owner, so stop as for SIGTERM.
  const startedBy = process.ppid;
  setInterval(() => {
    if (process.ppid !== startedBy) void shutdown(`the process that started local mode (pid ${startedBy}) exited`);
  }, 1000).unref();

  say('starting local mode');
  try {
    local = await startLocalMode(config, { progress: say });
  } catch (error) {
    if (
      error instanceof JavaMissingError ||
      error instanceof WorkflowFolderError ||
      error instanceof StepLoadError ||
      error instanceof ConfigurationError
    )
      exitWith(error.message);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      exitWith(`port ${config.port} is in use; set PORT to another one`);
    exitWith(`local mode failed to start: ${(error as Error).message}`);
  }
  // Endpoint lines go to standard output (EMF and logs too, as on Lambda), progress to standard error.
  console.log(`API:            ${local.urls.api}`);
  console.log(`UI:             ${statusPageUrl(local.urls.api, local.token)}`);
  console.log(
    `DynamoDB:       ${local.urls.dynamodb}${local.dynamodbPid ? ` (DynamoDB Local, pid ${local.dynamodbPid})` : ''}`,
  );
  console.log(`Step Functions: ${local.urls.stepfunctions}`);
  console.log(`EventBridge:    ${local.urls.eventbridge} (bus "${ENGINE_BUS_NAME}")`);
  console.log(`Token:          ${local.token}`);
  say(`ready; try: curl -H "Authorization: Bearer ${local.token}" ${local.urls.api}/workflows`);
}
