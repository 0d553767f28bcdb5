import { type Command, InvalidArgumentError } from 'commander';
import { apiAction, withGlobalOptions } from '../command-context.js';
import { ExitCode } from '../errors.js';
import { serveStatusPage } from '../ui-server.js';

const parsePort = (text: string) => {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535)
    throw new InvalidArgumentError('a port is a whole number from 0 (any free port) to 65535');
  return Number(text);
};

/** `ui`: the status page on loopback for the API the command points at, until Ctrl-C. */
export function addUiCommand(program: Command, env: Record<string, string | undefined>) {
  withGlobalOptions(program.command('ui'))
    .description(
      'Serve the status page on 127.0.0.1 for the API this command points at (signing every call it passes on with SigV4 for a deployed stack) and print its URL; Ctrl-C stops it',
    )
    .option('--port <port>', 'the loopback port (default: any free port)', parsePort, 0)
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep ui --token "$TOKEN"                                          # local mode (which also serves the page itself)\n  lockstep ui --api https://abc123.execute-api.eu-west-1.amazonaws.com/v1 --port 8080   # a deployed stack',
    )
    .action(
      apiAction(env, async (context, options: { port: number }) => {
        const server = await serveStatusPage(context.connection.client, { port: options.port });
        process.stdout.write(`UI: ${server.url}\n`);
        context.note(
          `serving the status page for ${context.connection.client.baseUrl} (${context.connection.auth}); Ctrl-C stops it`,
        );
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        return ExitCode.Success;
      }),
    );
}
