// `npm start`: the whole engine on this machine (see local-mode.ts). SIGTERM or SIGINT to this
// process (Ctrl-C, a service manager), or the exit of the process that started it, stops
// everything, DynamoDB Local included.
//
// `npm start` runs `exec node --import tsx lib/local/main.ts`: npm's shell is replaced by this one
// Node process, so the SIGTERM or SIGINT npm forwards to its child reaches this process (through
// `sh -c` and the tsx CLI it reached neither: the shell died or waited, and the rest kept serving).
import { runLocalMode } from './run-local-mode.js';

await runLocalMode(process.env);
