import type { Command } from 'commander';
import { apiAction, withGlobalOptions } from '../command-context.js';
import { ExitCode } from '../errors.js';
import { renderTable } from '../table.js';
import { workflowColumns, workflowFields } from '../views.js';

/** `workflows [ID]` (the catalog the API serves) and `workflows validate DIR` (offline). */
export function addWorkflowCommands(program: Command, env: Record<string, string | undefined>) {
  const workflows = withGlobalOptions(program.command('workflows'))
    .description(
      'The workflow catalog: every id and version, or with ID every version of one workflow with its parameters (newest first)',
    )
    .argument('[id]', 'one workflow')
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep workflows\n  lockstep workflows wait              # its versions, parameters, digest and policy\n  lockstep workflows validate ./workflows',
    )
    .action(
      apiAction(env, async (context, id: string | undefined) => {
        const page = await context.api.workflows(id);
        const table = () =>
          id === undefined
            ? renderTable(workflowColumns(), page.items, context.width)
            : page.items.map(workflowFields).join('\n');
        context.print(page, table);
        return ExitCode.Success;
      }),
    );

  workflows
    .command('validate')
    .configureHelp({ showGlobalOptions: false })
    .argument('<dir>', 'a folder of workflow folders, each holding a workflow.json')
    .description(
      'Check a workflows folder offline, as local mode and the CDK app do before they start: the schema, the definitions, the steps',
    )
    .addHelpText(
      'after',
      '\nExample:\n  lockstep workflows validate ./workflows   # exit 0 and one line per workflow; else exit 1 and one line per problem',
    )
    .action(async (dir: string) => {
      // Loaded here, not with the command: the other commands start without the workflow loader.
      const { WorkflowFolderError, loadWorkflowCatalog } = await import('../../workflows/load-workflows.js');
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
}
