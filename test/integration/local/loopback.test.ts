import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DEFAULT_IDEMPOTENCY_TABLE_NAME } from '../../../lib/contract/table.js';
import { localDynamoDbClient } from '../../../lib/local/dynamodb-local.js';
import { freePort } from '../../../lib/local/http-listen.js';
import { ANY_FREE_AWS_PORTS, startNpmStart } from '../../support/npm-start.js';
import {
  cleanUp,
  commandLine,
  describeProcesses,
  namespaceProblem,
  processTree,
  waitForEndpoints,
  waitUntilGone,
} from './signals-npm-start.js';

interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  local: string;
  pids: number[];
}

/** Every listening TCP socket and bound UDP socket of this network namespace, with the pids that hold it. */
function listeningSockets(): ListeningSocket[] {
  const read = (protocol: 'tcp' | 'udp') =>
    execFileSync('ss', [protocol === 'tcp' ? '-ltnpH' : '-lunpH'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => ({
        protocol,
        local: line.trim().split(/\s+/)[3] ?? '',
        pids: [...line.matchAll(/pid=(\d+)/g)].map((match) => Number(match[1])),
      }));
  return [...read('tcp'), ...read('udp')];
}

const host = (local: string) => local.slice(0, local.lastIndexOf(':'));

/** Sends a request with a foreign Origin, as a page on another site would; returns status and headers. */
function crossOrigin(
  url: string,
  method: 'OPTIONS' | 'POST',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const headers =
    method === 'OPTIONS'
      ? {
          origin: 'http://attacker.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target',
        }
      : {
          origin: 'http://attacker.example',
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.once('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('npm start, seen from the network', () => {
  it('listens on loopback only, keeps CORS closed and telemetry off, and DynamoDB still answers on its loopback port', {
    timeout: 150_000,
  }, async () => {
    const port = await freePort();
    const run = startNpmStart({ PORT: String(port), LOCKSTEP_TOKEN: 'loopback-token', ...ANY_FREE_AWS_PORTS });
    let tree: number[] = [];
    try {
      const { javaPid, dynamodb } = await waitForEndpoints(run);
      tree = processTree(run.child.pid!);
      expect(tree, describeProcesses(tree)).toContain(javaPid);

      const ours = listeningSockets().filter((socket) => socket.pids.some((pid) => tree.includes(pid)));
      const listing = ours.map((socket) => `${socket.protocol} ${socket.local} (${socket.pids.join(',')})`).join('\n');
      expect(
        ours.map((socket) => socket.local),
        listing,
      ).toContain(`127.0.0.1:${port}`);
      expect(
        ours.map((socket) => socket.local),
        listing,
      ).toContain(`127.0.0.1:${new URL(dynamodb).port}`);
      // Where no network namespace can be made, local mode warns that DynamoDB Local (Java) listens on all interfaces.
      const exempt = namespaceProblem() ? [javaPid] : [];
      for (const socket of ours.filter((socket) => !socket.pids.every((pid) => exempt.includes(pid)))) {
        expect(['127.0.0.1', '[::1]'], `${listing}\nprocesses:\n${describeProcesses(tree)}`).toContain(
          host(socket.local),
        );
      }

      const client = localDynamoDbClient(dynamodb);
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({
        TableNames: expect.arrayContaining([DEFAULT_IDEMPOTENCY_TABLE_NAME]),
      });
      client.destroy();

      // A page on another site gets no CORS grant, neither for the preflight nor for the request itself.
      const preflight = await crossOrigin(dynamodb, 'OPTIONS');
      expect(preflight.headers['access-control-allow-origin'], JSON.stringify(preflight)).toBeUndefined();
      const post = await crossOrigin(dynamodb, 'POST');
      expect(post.headers['access-control-allow-origin'], JSON.stringify(post)).toBeUndefined();

      const java = commandLine(javaPid);
      expect(java, java.join(' ')).toContain('-disableTelemetry');
      // An explicit, empty allow-list: DynamoDB Local documents `*` (public access) as the default.
      expect(java[java.indexOf('-cors') + 1], java.join(' ')).toBe('');
    } finally {
      process.kill(-run.child.pid!, 'SIGTERM');
      await waitUntilGone(tree, 30_000);
      await cleanUp(run, tree);
    }
  });
});
