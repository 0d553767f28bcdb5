import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { localDynamoDbClient, startDynamoDbLocal } from '../../../lib/local/dynamodb-local.js';
import { until } from '../../support/wait.js';

const fixture = fileURLToPath(new URL('../../support/fixtures/hold-dynamodb-local.ts', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number): Promise<boolean> {
  return until(() => (isAlive(pid) ? undefined : true), 20_000, `process ${pid} to exit`).catch(() => false);
}

describe('DynamoDB Local launcher', () => {
  it('starts on a free port, answers, and stops its Java process', async () => {
    const dynamodb = await startDynamoDbLocal();
    const client = localDynamoDbClient(dynamodb.endpoint);
    await expect(client.send(new ListTablesCommand({}))).resolves.toBeDefined();
    client.destroy();

    await dynamodb.stop();

    expect(isAlive(dynamodb.pid)).toBe(false);
    await dynamodb.stop(); // a second stop is harmless
  });

  it('leaves no Java process behind when its parent is killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    const { pid } = JSON.parse(line) as { pid: number };
    expect(isAlive(pid)).toBe(true);

    parent.kill('SIGKILL');

    expect(await waitForExit(pid)).toBe(true);
  });
});
