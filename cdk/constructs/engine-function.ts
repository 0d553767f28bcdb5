import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { engineRuntimeEnvironment } from '../../lib/contract/environment.js';
import { CATALOG_FILE_NAME } from '../../lib/workflows/catalog.js';
import { bundlingRootOf, engineBundling } from './bundling.js';

/** The handlers under `functions/`: TypeScript in this repository, compiled JavaScript in the installed package (`dist/`). */
const functionsDir = fileURLToPath(new URL('../../functions/', import.meta.url));
const handlerEntry = (handler: string) =>
  [`${functionsDir}${handler}.ts`, `${functionsDir}${handler}.js`].find((path) => existsSync(path)) ??
  `${functionsDir}${handler}.ts`;

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
  /** The workflow catalog file (see lib/workflows/catalog.ts), copied beside the bundle for the runtime to read at cold start. Default: none (the function needs no catalog). */
  readonly catalogFile?: string;
}

/**
 * A Lockstep Lambda with the engine's defaults: Node.js 22 on arm64, bundled (see
 * BUNDLING) with the modules it loads lazily beside the bundle (engineBundling), X-Ray tracing, and its own log group with a retention.
 */
export class EngineFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: EngineFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const entry = handlerEntry(props.handler);
    const { catalogFile } = props;
    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      ...bundlingRootOf(entry),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      environment: { ...props.environment, ...engineRuntimeEnvironment() },
      bundling: engineBundling((outputDir) =>
        catalogFile ? [`cp "${catalogFile}" "${outputDir}/${CATALOG_FILE_NAME}"`] : [],
      ),
    });
  }
}
