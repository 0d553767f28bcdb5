// The process that owns DynamoDB Local's Java for dynamodb-local.ts: it starts Java, serves the
// Unix socket through which Java is reached when Java runs in a network namespace of its own,
// and stops Java when told to or when its parent goes away, so no JVM is ever orphaned.
//
// Node runs this file as it is (type stripping), often inside `unshare`: it imports only
// `node:` builtins and uses only erasable TypeScript syntax.
//
// Argument: one JSON object, a RelayConfig. Standard input: a pipe from the parent, never
// written; its end (the parent stopped us, or died in any way, even by SIGKILL) stops Java.
// Standard output: one JSON line per event, {"javaPid":N}, then {"listening":true} once the
// socket is served. Standard error: Java's output, and why the relay stopped if it did so on
// its own. It exits once Java has exited: 0 when it was stopped, 1 otherwise.
import { execFileSync, spawn } from 'node:child_process';
import { rmdirSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';

export interface RelayConfig {
  /** Arguments for `java`. */
  java: string[];
  /** Java's working directory. */
  cwd: string;
  /** Java's port, on 127.0.0.1 as the relay sees it. */
  port: number;
  /** Unix socket to serve, each connection piped to Java's port; none when Java is reached directly. */
  socket?: string;
  /** Bring the loopback interface up first: a new network namespace starts with it down. */
  loopbackUp?: boolean;
}

/** SIGKILL for a Java that has not stopped this long after SIGTERM. */
const KILL_AFTER_MS = 5000;

const config = JSON.parse(process.argv[2] ?? '{}') as RelayConfig;
const tell = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);
const complain = (line: string) => process.stderr.write(`dynamodb-local-relay: ${line}\n`);
// Once the parent is gone its pipes refuse writes; that must not end the relay before Java.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

if (config.loopbackUp) {
  try {
    execFileSync('ip', ['link', 'set', 'lo', 'up'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    complain(`could not bring up the loopback interface: ${(error as Error).message}`);
    process.exit(1);
  }
}

const java = spawn('java', config.java, { cwd: config.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
java.stdout.on('data', (chunk: Buffer) => process.stderr.write(chunk));
java.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
java.once('error', (error) => {
  complain(`could not start java: ${error.message}`);
  process.exit(1);
});

let server: Server | undefined;
let stopping = false;

function stop(): void {
  if (stopping) return;
  stopping = true;
  server?.close();
  if (java.exitCode !== null || java.signalCode !== null) return;
  java.kill('SIGTERM');
  setTimeout(() => java.kill('SIGKILL'), KILL_AFTER_MS);
}

java.once('exit', (code, signal) => {
  if (config.socket) {
    rmSync(config.socket, { force: true });
    try {
      rmdirSync(dirname(config.socket));
    } catch {
      // not empty, or already removed by the parent
    }
  }
  if (!stopping) complain(`DynamoDB Local exited on its own (${signal ?? `exit code ${code}`})`);
  process.exit(stopping ? 0 : 1);
});

process.stdin.once('end', stop);
process.stdin.once('close', stop);
process.stdin.once('error', stop);
process.stdin.resume();
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
process.on('uncaughtException', (error) => {
  complain(`stopping Java after an unexpected error: ${error.stack ?? error.message}`);
  java.kill('SIGKILL');
  process.exit(1);
});

if (java.pid !== undefined) tell({ javaPid: java.pid });

/**
 * Pipes two sockets into each other; when either side ends or fails, both are closed. The
 * same as `splice` in dynamodb-local.ts, copied on purpose: this file runs on its own
 * (type-stripped, Node builtins only), so it imports nothing from the engine.
 */
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

if (config.socket && java.pid !== undefined) {
  const { socket: path, port } = config;
  server = createServer((client) => splice(client, connect({ port, host: '127.0.0.1', noDelay: true })));
  server.once('error', (error) => {
    complain(`could not serve ${path}: ${error.message}`);
    stop();
  });
  server.listen(path, () => tell({ listening: true }));
}
