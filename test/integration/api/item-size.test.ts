import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localDynamoDbClient } from '../../../lib/local/dynamodb-local.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

/**
 * Issue 18 follow-up: input the contract allows must never make a DynamoDB item over its
 * 400 KB limit (a 500 InternalError). Parameters as stored (defaults applied) are bounded by
 * the body limit, and the target's clearance history by size as well as count.
 */
const MAX_BODY_BYTES = 256 * 1024;
const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
const MAX_VALUE = 16_384;
const WIDE = Array.from({ length: 16 }, (_, i) => `W${String(i + 1).padStart(2, '0')}`);
const REASON = '中'.repeat(4096);
const BROKER = 'broker-intermediary-token-0123456789';
/** The longest `onBehalfOf` (256 characters, 1,021 bytes), told apart by its first character. */
const person = (n: number) => `${n}${'😀'.repeat(255)}`;

function workflow(
  dir: string,
  id: string,
  definition: unknown,
  parameters: unknown[],
  policy: Record<string, unknown> = {},
) {
  mkdirSync(join(dir, id));
  writeFileSync(
    join(dir, id, 'workflow.json'),
    JSON.stringify({
      id,
      version: '1',
      description: id,
      definition: 'definition.asl.json',
      parameters,
      policy: { cooldownSeconds: 0, ...policy },
    }),
  );
  writeFileSync(join(dir, id, 'definition.asl.json'), JSON.stringify(definition));
}

/** A request body on `workflowId`'s 16 parameters filled with `fill` up to the body limit: the largest parameters the API accepts. */
function fullBody(targetResource: string, workflowId: string, fill: string) {
  const parameters: Record<string, string> = Object.fromEntries(WIDE.map((name) => [name, '']));
  let room = MAX_BODY_BYTES - Buffer.byteLength(JSON.stringify({ targetResource, workflowId, parameters }));
  const perValue = Math.floor(MAX_VALUE / fill.length);
  for (const name of WIDE) {
    const count = Math.min(perValue, Math.floor(room / Buffer.byteLength(fill)));
    parameters[name] = fill.repeat(count);
    room -= Buffer.byteLength(parameters[name]);
  }
  parameters[WIDE[0]!] += 'x'.repeat(Math.min(room, MAX_VALUE - parameters[WIDE[0]!]!.length));
  const body = { targetResource, workflowId, parameters };
  expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect(Buffer.byteLength(JSON.stringify(body))).toBeGreaterThan(MAX_BODY_BYTES - 8);
  return body;
}

describe('no allowed request makes an item larger than DynamoDB holds', () => {
  const workflowsDir = mkdtempSync(join(tmpdir(), 'lockstep-item-size-'));
  let t: TestLocalMode;
  const pass = { StartAt: 'Go', States: { Go: { Type: 'Pass', End: true } } };
  const fail = { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Boom', Cause: 'fails on purpose' } } };
  const wide = WIDE.map((name) => ({ name, description: name, maxLength: MAX_VALUE }));

  beforeAll(async () => {
    // Three 16,384-emoji defaults (196,608 bytes) fit alone; with five values given they come to more than a body holds.
    const emoji = { description: 'an emoji default', maxLength: MAX_VALUE, default: '😀'.repeat(MAX_VALUE) };
    workflow(workflowsDir, 'big-defaults', pass, [
      ...['D1', 'D2', 'D3'].map((name) => ({ name, ...emoji })),
      ...['G1', 'G2', 'G3', 'G4', 'G5'].map((name) => ({ name, description: name })),
    ]);
    workflow(workflowsDir, 'wide', pass, wide);
    workflow(workflowsDir, 'wide-fail', fail, wide);
    workflow(workflowsDir, 'wide-approved', pass, wide, { approval: { required: 'always', approvals: 5 } });
    // An intermediary, so that decisions and clearances can carry the longest onBehalfOf.
    const tokensFile = join(workflowsDir, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify([{ name: 'broker', token: BROKER, role: 'admin', intermediary: true }]));
    t = await startTestLocalMode({}, { workflowsDir, tokensFile });
  });
  afterAll(async () => {
    await t?.local.stop();
    rmSync(workflowsDir, { recursive: true, force: true });
  });

  async function largestItemBytes(): Promise<number> {
    const client = localDynamoDbClient(inject('dynamodbEndpoint'));
    let largest = 0;
    let start: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: t.tableName, ...(start && { ExclusiveStartKey: start }) }),
      );
      // JSON text is a little more than DynamoDB counts (attribute names and UTF-8 values, plus quotes and punctuation here).
      for (const item of page.Items ?? [])
        largest = Math.max(largest, Buffer.byteLength(JSON.stringify(unmarshall(item))));
      start = page.LastEvaluatedKey as typeof start;
    } while (start);
    return largest;
  }

  it('refuses with 400 parameters that come to more than a body holds once defaults are applied, and writes nothing', async () => {
    const target = uniqueTarget('big-defaults');
    const given = Object.fromEntries(['G1', 'G2', 'G3', 'G4', 'G5'].map((name) => [name, '中'.repeat(MAX_VALUE)]));

    const response = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'big-defaults', parameters: given },
    });

    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'ValidationError',
      details: [
        expect.stringMatching(
          /^body\.parameters: the parameters come to 442,\d{3} bytes with defaults applied; at most 262,144/,
        ),
      ],
    });
    expect((await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items).toEqual([]);
    expect((await t.call('GET', `/targets/${encodeURIComponent(target)}`)).body).toMatchObject({ state: 'Idle' });
  });

  it.each([['中'], ['😀']])(
    'runs the largest parameters the API accepts (%s) through admission, start, completion, a blocking failure and its clearance',
    async (fill) => {
      const target = uniqueTarget('worst-case');
      const first = await t.call('POST', '/executions', { body: fullBody(target, 'wide', fill) });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      await t.settle();
      expect((await t.call('GET', `/executions/${first.body.id}`)).body.phase).toBe('Completed');

      const failing = await t.call('POST', '/executions', { body: fullBody(target, 'wide-fail', fill) });
      expect(failing.status, JSON.stringify(failing.body)).toBe(201);
      await t.settle();
      expect((await t.call('GET', `/targets/${encodeURIComponent(target)}`)).body.state).toBe('Blocked');
      const clearance = await t.call('POST', `/targets/${encodeURIComponent(target)}/clearance`, {
        body: { reason: REASON },
      });
      expect(clearance.status, JSON.stringify(clearance.body)).toBe(200);

      const again = await t.call('POST', '/executions', { body: fullBody(target, 'wide', fill) });
      expect(again.status, JSON.stringify(again.body)).toBe(201);
      await t.settle();
      expect((await t.call('GET', `/executions/${again.body.id}`)).body.phase).toBe('Completed');
      expect(await largestItemBytes()).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
    },
  );

  it('keeps the target and the execution within bounds with the most decisions an approval takes, the longest comments and names, beside large parameters and a full clearance history', async () => {
    const target = uniqueTarget('decisions');
    // The clearance history near its byte bound (64 KiB): five reasons of 4,096 three-byte characters.
    for (let cycle = 1; cycle <= 5; cycle++) {
      expect((await t.call('POST', '/executions', { body: fullBody(target, 'wide-fail', '中') })).status).toBe(201);
      await t.settle();
      const clearance = await t.call('POST', `/targets/${encodeURIComponent(target)}/clearance`, {
        body: { reason: REASON, onBehalfOf: person(cycle) },
        token: BROKER,
      });
      expect(clearance.status, JSON.stringify(clearance.body)).toBe(200);
    }
    const awaiting = await t.call('POST', '/executions', {
      body: fullBody(target, 'wide-approved', '中'),
      token: BROKER,
    });
    expect(awaiting.status, JSON.stringify(awaiting.body)).toBe(201);
    expect(awaiting.body.phase).toBe('AwaitingApproval');
    // Four approvals and a reject: the most an approval of five takes (a fifth approval would start it instead).
    const comment = '中'.repeat(1024);
    for (let n = 1; n <= 4; n++) {
      const decided = await t.call('POST', `/executions/${awaiting.body.id}/approval`, {
        body: { decision: 'approve', comment, onBehalfOf: person(n) },
        token: BROKER,
      });
      expect(decided.status, JSON.stringify(decided.body).slice(0, 300)).toBe(200);
      expect(await largestItemBytes()).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
    }
    const rejected = await t.call('POST', `/executions/${awaiting.body.id}/approval`, {
      body: { decision: 'reject', comment, onBehalfOf: person(5) },
      token: BROKER,
    });
    expect(rejected.status, JSON.stringify(rejected.body).slice(0, 300)).toBe(200);
    expect(rejected.body.phase).toBe('Failed');
    expect(await largestItemBytes()).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
  }, 120_000);

  it('keeps the target within bounds through 60 block and clear cycles with the longest reasons and large parameters', async () => {
    const target = uniqueTarget('cycles');
    for (let cycle = 1; cycle <= 60; cycle++) {
      const failing = await t.call('POST', '/executions', { body: fullBody(target, 'wide-fail', '中') });
      expect(failing.status, `admission ${cycle}: ${JSON.stringify(failing.body)}`).toBe(201);
      await t.settle();
      const clearance = await t.call('POST', `/targets/${encodeURIComponent(target)}/clearance`, {
        body: { reason: REASON },
      });
      expect(clearance.status, `clearance ${cycle}: ${JSON.stringify(clearance.body)}`).toBe(200);
      expect(clearance.body.blockClearances.at(-1)).toMatchObject({
        clearedBy: 'token:local-admin',
        reason: REASON,
      });
    }
    const after = await t.call('POST', '/executions', { body: fullBody(target, 'wide', '中') });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
    await t.settle();
    expect((await t.call('GET', `/executions/${after.body.id}`)).body.phase).toBe('Completed');
    expect(await largestItemBytes()).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
  }, 240_000);
});
