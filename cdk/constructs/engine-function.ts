import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { CATALOG_FILE_NAME } from '../../lib/workflows/catalog.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Some CommonJS dependencies call require(); the ESM bundle gives them one. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export interface EngineFunctionProps {
  /** The handler module under `functions/`, without extension (for example `api`). */
  readonly handler: string;
  readonly environment: Record<string, string>;
  /** Default: 256 MB. */
  readonly memorySize?: number;
  /** Default: 30 seconds. */
  readonly timeout?: Duration;
  /** Reserved concurrency, where it protects DynamoDB or keeps a job single. Default: none. */
  readonly reservedConcurrentExecutions?: number;
  /** Default: one month. */
  readonly logRetention?: RetentionDays;
  /** The workflow catalog file (see lib/workflows/catalog.ts), copied beside the bundle for the runtime to read at cold start. */
  readonly catalogFile: string;
}

/**
 * A Lockstep Lambda with the engine's defaults: Node.js 22 on arm64, bundled (AWS SDK included) and minified
 * by the locally installed esbuild (never Docker) as ESM with source maps, X-Ray tracing,
 * and its own log group with a retention.
 */
export class EngineFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: EngineFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${root}functions/${props.handler}.ts`,
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: `${root}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.reservedConcurrentExecutions !== undefined && { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'lockstep' },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        // The SDK is bundled, not taken from the runtime: one minified file loads faster than
        // resolving hundreds of modules (cold init measured by npm run bench), and versions are pinned.
        externalModules: [],
        banner: ESM_REQUIRE_BANNER,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [`cp "${props.catalogFile}" "${outputDir}/${CATALOG_FILE_NAME}"`],
        },
      },
    });
  }
}
