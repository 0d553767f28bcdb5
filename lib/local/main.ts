// `npm start`: the whole engine on this machine (see local-mode.ts). Ctrl-C or SIGTERM stops
// everything, DynamoDB Local included.
import { ConfigurationError, readLocalConfig } from '../config.js';
import { JavaMissingError } from './dynamodb-local.js';
import { startLocalMode, type LocalMode } from './local-mode.js';

const say = (line: string) => process.stderr.write(`lockstep: ${line}\n`);

function exitWith(message: string): never {
  say(message);
  process.exit(1);
}

let config;
try {
  config = readLocalConfig(process.env);
} catch (error) {
  if (error instanceof ConfigurationError) exitWith(error.message);
  throw error;
}

let local: LocalMode | undefined;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  say(`${signal} received, stopping`);
  await local?.stop();
  say('stopped');
  process.exit(0);
};
// Ctrl-C reaches npm, tsx and this process alike, and tsx relays it once more: a repeated
// signal must not cut the graceful stop short (the stop is bounded: Java is killed after 5 s).
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

say('starting local mode');
try {
  local = await startLocalMode(config, { progress: say });
} catch (error) {
  if (error instanceof JavaMissingError) exitWith(error.message);
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') exitWith(`port ${config.port} is in use; set PORT to another one`);
  exitWith(`local mode failed to start: ${(error as Error).message}`);
}
// Endpoint lines go to standard output (EMF and logs too, as on Lambda), progress to standard error.
console.log(`API:            ${local.urls.api}`);
console.log(`DynamoDB:       ${local.urls.dynamodb}${local.dynamodbPid ? ` (DynamoDB Local, pid ${local.dynamodbPid})` : ''}`);
console.log(`Step Functions: ${local.urls.stepfunctions}`);
console.log(`EventBridge:    ${local.urls.eventbridge} (bus "lockstep")`);
console.log(`Token:          ${local.token}`);
say(`ready; try: curl -H "Authorization: Bearer ${local.token}" ${local.urls.api}/workflows`);
