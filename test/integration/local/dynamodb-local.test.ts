import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { localDynamoDbClient, startDynamoDbLocal } from '../../../lib/local/dynamodb-local.js';
import {
  commandLine,
  describeProcesses,
  isAlive,
  namespaceProblem,
  processTree,
  waitUntilGone,
} from './signals-npm-start.js';

const fixture = fileURLToPath(new URL('../../support/fixtures/hold-dynamodb-local.ts', import.meta.url));

/** Local addresses of the listening TCP sockets `pid` holds, as this network namespace sees them. */
function listeningAddresses(pid: number): string[] {
  return execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
}

const parentOf = (pid: number) => Number(/\)\s+\S+\s+(\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]);

// Each test starts and checks a Java of its own (own port, own pid): side by side, as Java's start is most of the time.
describe.concurrent('DynamoDB Local launcher', () => {
  it('starts on a free port, answers, and stops its Java process', async () => {
    const dynamodb = await startDynamoDbLocal();
    const client = localDynamoDbClient(dynamodb.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
    client.destroy();

    await dynamodb.stop();

    expect(isAlive(dynamodb.pid)).toBe(false);
    await dynamodb.stop(); // a second stop is harmless
  });

  const problem = namespaceProblem();
  it.skipIf(problem)(
    `puts Java where no network reaches it, behind a loopback port${problem ? ` (no network namespace here: ${problem})` : ''}`,
    async () => {
      const dynamodb = await startDynamoDbLocal();
      try {
        // The relay, Java's parent, names its Unix socket in its last argument.
        const relay = commandLine(parentOf(dynamodb.pid));
        const socket = /"socket":"([^"]+)"/.exec(relay.at(-1) ?? '')?.[1];

        expect(dynamodb.warning).toBeUndefined();
        expect(readlinkSync(`/proc/${dynamodb.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
        expect(listeningAddresses(dynamodb.pid)).toEqual([]);
        expect(listeningAddresses(process.pid)).toContain(`127.0.0.1:${dynamodb.port}`);
        expect(socket, relay.join(' ')).toBeDefined();
        expect(statSync(dirname(socket!)).mode & 0o777).toBe(0o700);
        const client = localDynamoDbClient(dynamodb.endpoint);
        await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
        client.destroy();
      } finally {
        await dynamodb.stop();
      }
      expect(isAlive(dynamodb.pid)).toBe(false);
    },
  );

  it('falls back to a Java listening on all interfaces, and says so, when it must not isolate it', async () => {
    const dynamodb = await startDynamoDbLocal({ isolateNetwork: false });
    try {
      expect(dynamodb.warning).toMatch(/all interfaces/);
      expect(commandLine(dynamodb.pid)).toEqual(expect.arrayContaining(['-disableTelemetry', '-cors']));
      const client = localDynamoDbClient(dynamodb.endpoint);
      await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
      client.destroy();
    } finally {
      await dynamodb.stop();
    }
    expect(isAlive(dynamodb.pid)).toBe(false);
  });

  it('leaves no Java process (nor anything else it started) behind when its parent is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    const started = processTree(parent.pid!).filter((child) => child !== parent.pid);
    expect(isAlive(pid)).toBe(true);
    expect(started).toContain(pid);

    parent.kill('SIGKILL');

    const left = await waitUntilGone(started, 20_000);
    expect(left, describeProcesses(left)).toEqual([]);
  });
});
