import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '../../support/wait.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const TOKEN = 'logs-token-0123456789';

type LogLine = Record<string, unknown> & { level: string; message: string };

/** The structured lines of a stream: every line that parses as a JSON object with a level and a message. */
function logLines(text: string): LogLine[] {
  return text.split('\n').flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as unknown;
      return parsed && typeof parsed === 'object' && 'level' in parsed && 'message' in parsed
        ? [parsed as LogLine]
        : [];
    } catch {
      return [];
    }
  });
}

/**
 * Local mode as a user runs it (its own process, the script `npm start` runs), read the way
 * its guide says: structured logs on standard output, progress on standard error.
 */
describe("local mode's logs, as its guide (docs/local-mode.md) says", () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let api: string;
  let events: EventBridgeClient;
  beforeAll(async () => {
    const env = {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
      LOCKSTEP_TABLE_NAME: `lockstep-logs-${randomUUID()}`,
      LOCKSTEP_TOKEN: TOKEN,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    await until(
      () => (/^Token: +\S+/m.test(stdout) ? true : undefined),
      60_000,
      `the endpoint lines\n${stdout}\n${stderr}`,
    );
    api = /^API: +(\S+)$/m.exec(stdout)![1]!;
    // Signed as the guide's AWS CLI example signs: any key id, the local token as the secret.
    events = new EventBridgeClient({
      endpoint: /^EventBridge: +(\S+)/m.exec(stdout)![1]!,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: TOKEN },
    });
  });
  afterAll(async () => {
    events?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  async function put(entry: PutEventsRequestEntry): Promise<string> {
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'lockstep', DetailType: 'WorkflowExecution Requested', ...entry }],
      }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    return answer.Entries![0]!.EventId!;
  }

  /** The log line about event `eventId`, once local mode has written it. */
  const lineAbout = (eventId: string) =>
    until(
      () => logLines(stdout).find((line) => line.eventId === eventId),
      20_000,
      `a log line with eventId ${eventId}\n${stdout}`,
    );

  it('writes error lines on standard output with the others, and none on standard error', async () => {
    const eventId = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: 'logs/deployment/app' }),
    });

    const line = await lineAbout(eventId);

    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'WorkflowExecution Requested event rejected',
      service: 'lockstep',
    });
    expect(logLines(stderr), stderr).toEqual([]);
    // Standard error holds progress, and nothing else.
    expect(
      stderr
        .trimEnd()
        .split('\n')
        .filter((text) => !text.startsWith('lockstep: ')),
      stderr,
    ).toEqual([]);
  });

  it('logs what each event did: its id, the execution it made and its phase, or why it was skipped', async () => {
    const target = `logs-${randomUUID().slice(0, 8)}/deployment/app`;
    const started = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: target, workflowId: 'wait', parameters: { SECONDS: '600' } }),
    });
    const startedLine = await lineAbout(started);
    expect(startedLine).toMatchObject({
      level: 'INFO',
      source: 'test.logs',
      executionId: expect.any(String),
      targetResource: target,
      phase: expect.stringMatching(/^(Pending|Running)$/),
    });

    const skipped = await put({
      Source: 'test.logs',
      Detail: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
    });
    const skippedLine = await lineAbout(skipped);
    expect(skippedLine).toMatchObject({
      source: 'test.logs',
      executionId: expect.any(String),
      targetResource: target,
      phase: 'Skipped',
      skipReason: 'ResourceBusy',
    });
    expect(skippedLine.executionId).not.toBe(startedLine.executionId);
  });

  it("runs the local-mode guide's curl example and then its EventBridge example without the event being skipped", async () => {
    const guide = readFileSync(`${root}docs/local-mode.md`, 'utf8');
    const curl = /-H "Idempotency-Key: ([^"]+)" \$API\/executions \\\n\s+-d '([^']+)'/.exec(guide);
    const entries = /events put-events --entries '(\[[\s\S]*?\])'/.exec(guide);
    expect(curl, 'the curl example of POST /executions').not.toBeNull();
    expect(entries, 'the put-events example').not.toBeNull();
    const created = await fetch(`${api}/executions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': curl![1]! },
      body: curl![2]!,
    });
    expect(created.status).toBe(201);

    const [entry] = JSON.parse(entries![1]!) as PutEventsRequestEntry[];
    const line = await lineAbout(await put(entry!));

    expect(line).toMatchObject({
      executionId: expect.any(String),
      phase: expect.stringMatching(/^(Pending|Running|Completed)$/),
    });
  });
});
