import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { killGroup, startNpmStart } from '../../support/npm-start.js';
import { until } from '../../support/wait.js';

const TOKEN = 'crash-token';
/** Local mode's in-progress window for an idempotency key (API Gateway's 29 s deadline), plus a margin. */
const IN_PROGRESS_WINDOW_MS = 31_000;

interface Answer {
  status: number;
  id?: string;
  code?: string;
}

describe('a keyed request retried after local mode was killed mid-request (kill -9)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lockstep-crash-'));
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const child of started) killGroup(child, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('never creates a second execution for a key, whenever the retry comes', async () => {
    const port = await freePort();
    const env = {
      PORT: String(port),
      LOCKSTEP_TOKEN: TOKEN,
      LOCKSTEP_DATA_DIR: dataDir,
      // No cooldown: a lost key would be admitted again at once, so a double execution would show.
      LOCKSTEP_COOLDOWN_SECONDS: '0',
      LOCKSTEP_STEPFUNCTIONS_PORT: '0',
      LOCKSTEP_EVENTBRIDGE_PORT: '0',
    };
    const api = `http://127.0.0.1:${port}`;
    const keys = Array.from({ length: 60 }, (_, i) => ({
      key: `crash-${i}-${crypto.randomUUID()}`,
      target: `crash-${crypto.randomUUID().slice(0, 8)}/deployment/app-${i}`,
    }));
    const post = async ({ key, target }: (typeof keys)[number]): Promise<Answer> => {
      const response = await fetch(`${api}/executions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
      });
      const body = (await response.json()) as { id?: string; error?: { code: string } };
      return { status: response.status, ...(body.id && { id: body.id }), ...(body.error && { code: body.error.code }) };
    };

    const first = startNpmStart(env);
    started.push(first.child);
    await first.ready();
    // Requests in flight; kill -9 of everything local mode runs as soon as the first is answered,
    // so that the others are caught at every point of their handling.
    let killed = false;
    const kill = () => {
      if (!killed) killGroup(first.child, 'SIGKILL');
      killed = true;
    };
    const inFlight = keys.map((k) =>
      post(k).then(
        (answer) => {
          kill();
          return answer;
        },
        () => undefined,
      ),
    );
    await until(() => (killed ? true : undefined), 30_000, 'a first answer', 1);
    const killedAt = performance.now();
    const firstAnswers = await Promise.all(inFlight);
    console.log(`crash: ${firstAnswers.filter(Boolean).length} of ${keys.length} requests answered before the kill`);

    const second = startNpmStart(env);
    started.push(second.child);
    await second.ready();
    const early = await Promise.all(keys.map(post));
    // Waits out what the engine measures in real time (the in-progress window): a busy machine only
    // waits longer.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, IN_PROGRESS_WINDOW_MS - (performance.now() - killedAt))),
    );
    const late = await Promise.all(keys.map(post));

    for (const [i, { target }] of keys.entries()) {
      const where = `key ${i}: first ${JSON.stringify(firstAnswers[i])}, early ${JSON.stringify(early[i])}, late ${JSON.stringify(late[i])}`;
      const listed = await until(
        async () => {
          const response = await fetch(`${api}/executions?targetResource=${encodeURIComponent(target)}`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          return ((await response.json()) as { items: { id: string }[] }).items;
        },
        5_000,
        'the listing',
      );
      expect(listed.length, where).toBeLessThanOrEqual(1);
      // Every answer that names an execution names the same one; the rest may only be "still in progress".
      const ids = new Set([firstAnswers[i], early[i], late[i]].flatMap((answer) => (answer?.id ? [answer.id] : [])));
      expect(ids.size, where).toBeLessThanOrEqual(1);
      for (const answer of [early[i], late[i]]) {
        if (!answer!.id) expect(answer, where).toMatchObject({ status: 409, code: 'Conflict' });
      }
      expect(late[i]!.id, where).toBeDefined();
      expect(
        listed.map((e) => e.id),
        where,
      ).toEqual([late[i]!.id]);
    }
    killGroup(second.child, 'SIGTERM');
    await until(
      () => (second.child.exitCode !== null || second.child.signalCode !== null ? true : undefined),
      30_000,
      'local mode to stop',
    ).catch(() => undefined);
  }, 180_000);
});
