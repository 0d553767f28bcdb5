import { type Command, Option } from 'commander';
import { ENVIRONMENT } from '../contract/environment.js';
import { type Connection, connect, DEFAULT_API_URL } from './connection.js';
import { CliError, type ExitCode } from './errors.js';
import { LockstepApi } from './lockstep-api.js';
import { onBehalfOf } from './option-parsers.js';

export const OutputFormat = { Table: 'table', Json: 'json' } as const;
export type OutputFormat = (typeof OutputFormat)[keyof typeof OutputFormat];

/** What every API command gets: the API, the output format, the time, and where to write. */
export interface CommandContext {
  api: LockstepApi;
  connection: Connection;
  format: OutputFormat;
  /** `--on-behalf-of`: the person an intermediary acts for, sent as `onBehalfOf` by the commands that decide something. */
  onBehalfOf?: string;
  now(): Date;
  /** Prints the API's document (`-o json`) or its table (`-o table`) on standard output. */
  print(document: unknown, table: () => string): void;
  /** A line for the person watching, on standard error (progress, notes, an empty listing). */
  note(line: string): void;
  /** The terminal's width, to fit tables in; undefined when standard output is not a terminal (nothing is cut). */
  width: number | undefined;
}

/** An API command's action, given its arguments then its options: returns its exit code. */
export type ApiAction<Args extends unknown[]> = (context: CommandContext, ...args: Args) => Promise<ExitCode>;

interface GlobalOptions {
  api?: string;
  token?: string;
  sigv4?: boolean;
  region?: string;
  output?: OutputFormat;
  onBehalfOf?: string;
}

const ON_BEHALF_OF = '--on-behalf-of <person>';
const ON_BEHALF_OF_HELP =
  'run, cancel, approve, reject, clear: for an intermediary (a bot, a chat integration), the person you act for, recorded beside your identity (the API refuses it from anyone else)';

/** The program's `--on-behalf-of`, for every command that decides something (API.md). */
export function withOnBehalfOfOption(program: Command): Command {
  return program.addOption(new Option(ON_BEHALF_OF, ON_BEHALF_OF_HELP).argParser(onBehalfOf));
}

/**
 * A command that decides something (run, cancel, approve, reject, clear) takes `--on-behalf-of`
 * after its arguments too; its help lists the program's, under "Global Options". Any other command refuses it.
 */
export function decides(command: Command): Command {
  return command.addOption(new Option(ON_BEHALF_OF, ON_BEHALF_OF_HELP).argParser(onBehalfOf).hideHelp());
}

/**
 * The global options. They are declared on the program (for `lockstep -o json ls`) and on each
 * API command (for `lockstep ls -o json`: options may follow the arguments, and `run --version`
 * stays the workflow version, not the program's). Environment fallbacks are applied here, once.
 */
export function withGlobalOptions(command: Command): Command {
  // A command's copies are left out of its help, which lists the program's under "Global Options".
  const hidden = command.parent !== null;
  const option = (flags: string, description: string) =>
    hidden ? new Option(flags, description).hideHelp() : new Option(flags, description);
  return command
    .addOption(
      option(
        '--api <url>',
        `the Lockstep API (env LOCKSTEP_API_URL; default ${DEFAULT_API_URL}); an execute-api URL is signed with SigV4`,
      ),
    )
    .addOption(option('--token <token>', "local mode's bearer token (env LOCKSTEP_TOKEN)"))
    .addOption(
      option(
        '--sigv4',
        'sign calls with SigV4 whatever the URL (env LOCKSTEP_SIGV4=1), with the standard AWS credential chain',
      ),
    )
    .addOption(
      option(
        '--region <region>',
        'the region to sign for (default: from the execute-api host, else AWS_REGION, else us-east-1)',
      ),
    )
    .addOption(
      option(
        '-o, --output <format>',
        'table or json (json: exactly the API\'s objects, one document) (default "table")',
      ).choices(Object.values(OutputFormat)),
    );
}

/** Builds an action's context from the merged options (a command's own over the program's), the environment, and the terminal. */
export function apiAction<Args extends unknown[]>(env: Record<string, string | undefined>, action: ApiAction<Args>) {
  return async (...received: unknown[]) => {
    const command = received.at(-1) as Command;
    // commander passes the arguments, the command's options, then the command itself.
    const args = received.slice(0, -1) as Args;
    const options = mergedGlobals(command);
    if (options.onBehalfOf !== undefined && !command.options.some((option) => option.long === '--on-behalf-of'))
      throw new CliError(
        `--on-behalf-of: '${command.name()}' decides nothing; it applies to run, cancel, approve, reject and clear`,
      );
    const connection = connect(
      {
        api: options.api ?? env.LOCKSTEP_API_URL,
        token: options.token ?? env[ENVIRONMENT.token],
        sigv4: options.sigv4 ?? ['1', 'true', 'yes'].includes((env.LOCKSTEP_SIGV4 ?? '').toLowerCase()),
        region: options.region,
      },
      env,
    );
    const format = options.output ?? OutputFormat.Table;
    const context: CommandContext = {
      api: new LockstepApi(connection.client),
      connection,
      format,
      ...(options.onBehalfOf !== undefined && { onBehalfOf: options.onBehalfOf }),
      now: () => new Date(),
      width: process.stdout.isTTY ? process.stdout.columns : undefined,
      print: (document, table) =>
        process.stdout.write(format === OutputFormat.Json ? `${JSON.stringify(document, null, 2)}\n` : table()),
      note: (line) => process.stderr.write(`${line}\n`),
    };
    process.exitCode = await action(context, ...args);
  };
}

function mergedGlobals(command: Command): GlobalOptions {
  const merged: Record<string, unknown> = {};
  for (const level of [...ancestry(command)].reverse()) {
    for (const [name, value] of Object.entries(level.opts()))
      if (value !== undefined && level.getOptionValueSource(name) === 'cli') merged[name] = value;
  }
  return merged as GlobalOptions;
}

function* ancestry(command: Command): Generator<Command> {
  for (let level: Command | null = command; level; level = level.parent) yield level;
}
