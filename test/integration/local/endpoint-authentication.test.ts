// Issue 18, defect 7: the local Step Functions and EventBridge endpoints accept only requests
// signed with SigV4 whose secret is the token; anything else is 403 and changes nothing, and
// no put may stand in for Step Functions' own status events (aws.states).
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../lib/runtime/runtime.js';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, TEST_TOKEN, type TestLocalMode } from '../../support/local-mode.js';

const run = promisify(execFile);
const REGION = 'us-east-1';
/** Any access key id goes: only the secret (the token) authenticates. */
const signedWithToken = { accessKeyId: 'whoever', secretAccessKey: TEST_TOKEN };
const signedWithAnotherSecret = { accessKeyId: 'whoever', secretAccessKey: 'not-the-token' };

interface AwsCall {
  target: string;
  body: unknown;
  /** Sign with this secret (none: unsigned). */
  secret?: string;
  /** Sign for this service and region (default: the endpoint's own service, us-east-1). */
  service?: string;
  region?: string;
  signingDate?: Date;
  /** Change the body after signing. */
  tamper?: (body: string) => string;
}

/** One AWS JSON protocol request as a client would send it, signed or not; the answer's status and parsed body. */
async function awsCall(
  url: string,
  call: AwsCall,
): Promise<{ status: number; body: { __type?: string; message?: string } & Record<string, unknown> }> {
  const { hostname, port } = new URL(url);
  const endpointService = call.target.startsWith('AWSEvents.') ? 'events' : 'states';
  const contentType = endpointService === 'events' ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
  const body = JSON.stringify(call.body);
  let headers: Record<string, string> = {
    host: `${hostname}:${port}`,
    'content-type': contentType,
    'x-amz-target': call.target,
  };
  if (call.secret !== undefined) {
    const signer = new SignatureV4({
      service: call.service ?? endpointService,
      region: call.region ?? REGION,
      credentials: { accessKeyId: 'whoever', secretAccessKey: call.secret },
      sha256: Sha256,
    });
    const signed = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname, port: Number(port), path: '/', headers, body },
      { signingDate: call.signingDate ?? systemClock.now() },
    );
    headers = signed.headers as Record<string, string>;
  }
  const { host: _host, ...sendable } = headers;
  const response = await fetch(url, {
    method: 'POST',
    headers: sendable,
    body: call.tamper ? call.tamper(body) : body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : {} };
}

describe('the local AWS endpoints authenticate with the token (SigV4)', () => {
  let t: TestLocalMode;
  let events: EventBridgeClient;
  let sfn: SFNClient;
  beforeAll(async () => {
    t = await startTestLocalMode();
    events = new EventBridgeClient({
      endpoint: t.local.urls.eventbridge,
      region: REGION,
      credentials: signedWithToken,
      maxAttempts: 1,
    });
    sfn = new SFNClient({
      endpoint: t.local.urls.stepfunctions,
      region: REGION,
      credentials: signedWithToken,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    events.destroy();
    sfn.destroy();
    await t.local.stop();
  });
  const longRuns: string[] = [];
  afterEach(async () => {
    for (const id of longRuns.splice(0)) await t.call('POST', `/executions/${id}/cancel`);
  });

  const executionsOf = async (target: string) =>
    (await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items as {
      id: string;
      phase: string;
    }[];
  const requested = (target: string) => ({
    Entries: [
      {
        EventBusName: 'lockstep',
        Source: 'alerting.pipeline',
        DetailType: 'WorkflowExecution Requested',
        Detail: JSON.stringify({ targetResource: target, workflowId: 'noop' }),
      },
    ],
  });
  /** Everything a put could have caused has been handled. */
  const quiet = async () => {
    await t.local.bus.idle();
    await t.local.streamReader.idle();
  };

  /** A `wait` run of 600 s, Running, with what a status event about it names. */
  async function runningExecution() {
    const created = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '600' } },
    });
    expect(created.status).toBe(201);
    longRuns.push(created.body.id);
    await quiet();
    const record = (await t.call('GET', `/executions/${created.body.id}`)).body;
    expect(record.phase).toBe('Running');
    const described = t.local.stepFunctions.describeExecution(record.executionRef.arn);
    return {
      id: created.body.id as string,
      executionArn: record.executionRef.arn as string,
      stateMachineArn: described.stateMachineArn,
      name: record.executionRef.name as string,
    };
  }

  /** Step Functions' status event saying the run failed, as a forger would put it. */
  const forgedFailure = (run: { executionArn: string; stateMachineArn: string; name: string }) => ({
    Entries: [
      {
        Source: 'aws.states',
        DetailType: 'Step Functions Execution Status Change',
        Resources: [run.executionArn],
        Detail: JSON.stringify({
          ...run,
          status: 'FAILED',
          startDate: Date.parse('2026-01-01T00:00:00Z'),
          stopDate: Date.parse('2026-01-01T00:00:01Z'),
          error: 'OOMKilled',
          cause: 'forged',
        }),
      },
    ],
  });

  describe('EventBridge', () => {
    it('answers an unsigned WorkflowExecution Requested with 403 in the AWS JSON shape, and starts nothing', async () => {
      const target = uniqueTarget();
      const response = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
      });
      await quiet();

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ __type: 'MissingAuthenticationTokenException', message: expect.any(String) });
      expect(await executionsOf(target)).toEqual([]);
    });

    it('answers a request signed with another secret with 403 InvalidSignatureException, and starts nothing', async () => {
      const target = uniqueTarget();
      const response = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
        secret: signedWithAnotherSecret.secretAccessKey,
      });
      const foreign = new EventBridgeClient({
        endpoint: t.local.urls.eventbridge,
        region: REGION,
        credentials: signedWithAnotherSecret,
        maxAttempts: 1,
      });
      const refused = await foreign.send(new PutEventsCommand(requested(target))).then(
        () => undefined,
        (error: unknown) => error as { name: string; $metadata: { httpStatusCode: number } },
      );
      foreign.destroy();
      await quiet();

      expect(response.status).toBe(403);
      expect(response.body.__type).toBe('InvalidSignatureException');
      expect(refused).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
      expect(await executionsOf(target)).toEqual([]);
    });

    it('refuses a signature older than 15 minutes and a body changed after signing, and starts nothing', async () => {
      const target = uniqueTarget();
      const stale = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
        secret: TEST_TOKEN,
        signingDate: new Date(systemClock.now().getTime() - 16 * 60_000),
      });
      const early = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
        secret: TEST_TOKEN,
        signingDate: new Date(systemClock.now().getTime() + 16 * 60_000),
      });
      const other = uniqueTarget();
      const tampered = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
        secret: TEST_TOKEN,
        tamper: (body) => body.replace(target, other),
      });
      await quiet();

      expect([stale.status, early.status, tampered.status]).toEqual([403, 403, 403]);
      expect([stale.body.__type, early.body.__type, tampered.body.__type]).toEqual([
        'InvalidSignatureException',
        'InvalidSignatureException',
        'InvalidSignatureException',
      ]);
      expect(await executionsOf(target)).toEqual([]);
      expect(await executionsOf(other)).toEqual([]);
    });

    it.each(['states', 'execute-api', 'sts', 'Events'])(
      'refuses a put signed with the token for service %s with 403 naming events, and starts nothing',
      async (service) => {
        const target = uniqueTarget();
        const response = await awsCall(t.local.urls.eventbridge, {
          target: 'AWSEvents.PutEvents',
          body: requested(target),
          secret: TEST_TOKEN,
          service,
        });
        await quiet();

        expect(response.status).toBe(403);
        expect(response.body).toEqual({
          __type: 'InvalidSignatureException',
          message: "Credential should be scoped to correct service: 'events'. ",
        });
        expect(await executionsOf(target)).toEqual([]);
      },
    );

    it('takes a put signed with the token for events in any region', async () => {
      const target = uniqueTarget();
      const response = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: requested(target),
        secret: TEST_TOKEN,
        region: 'ap-southeast-2',
      });
      await quiet();

      expect(response).toMatchObject({ status: 200, body: { FailedEntryCount: 0 } });
      expect(await executionsOf(target)).toHaveLength(1);
    });

    it('starts the execution a request signed with the token asks for (any access key id)', async () => {
      const target = uniqueTarget();
      const put = await events.send(new PutEventsCommand(requested(target)));
      await quiet();
      await t.local.stepFunctions.idle();
      await quiet();

      expect(put.FailedEntryCount).toBe(0);
      expect(await executionsOf(target)).toEqual([expect.objectContaining({ phase: 'Completed' })]);
    });

    it('leaves a running execution alone when an unsigned put forges its aws.states failure', async () => {
      const running = await runningExecution();
      const response = await awsCall(t.local.urls.eventbridge, {
        target: 'AWSEvents.PutEvents',
        body: forgedFailure(running),
      });
      await quiet();

      expect(response.status).toBe(403);
      expect((await t.call('GET', `/executions/${running.id}`)).body.phase).toBe('Running');
      expect(t.local.stepFunctions.describeExecution(running.executionArn).status).toBe('RUNNING');
    });

    it('refuses source aws.states even signed with the token (only the local Step Functions endpoint emits it), and puts the rest', async () => {
      const running = await runningExecution();
      const target = uniqueTarget();
      const put = await events.send(
        new PutEventsCommand({ Entries: [...forgedFailure(running).Entries, ...requested(target).Entries] }),
      );
      await quiet();

      expect(put.FailedEntryCount).toBe(1);
      expect(put.Entries![0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
      expect(put.Entries![1]!.EventId).toEqual(expect.any(String));
      expect((await t.call('GET', `/executions/${running.id}`)).body.phase).toBe('Running');
      expect(await executionsOf(target)).toHaveLength(1);
    });
  });

  describe('Step Functions', () => {
    it('answers unsigned and wrongly signed StopExecution with 403; the run goes on', async () => {
      const running = await runningExecution();
      const body = { executionArn: running.executionArn, error: 'Forged', cause: 'forged' };
      const unsigned = await awsCall(t.local.urls.stepfunctions, { target: 'AWSStepFunctions.StopExecution', body });
      const foreign = await awsCall(t.local.urls.stepfunctions, {
        target: 'AWSStepFunctions.StopExecution',
        body,
        secret: 'not-the-token',
      });
      await quiet();

      expect([unsigned.status, foreign.status]).toEqual([403, 403]);
      expect(t.local.stepFunctions.describeExecution(running.executionArn).status).toBe('RUNNING');
      expect((await t.call('GET', `/executions/${running.id}`)).body.phase).toBe('Running');
    });

    it.each(['events', 'execute-api', 'States'])(
      'refuses StopExecution signed with the token for service %s with 403 naming states; the run goes on',
      async (service) => {
        const running = await runningExecution();
        const body = { executionArn: running.executionArn, error: 'Forged', cause: 'forged' };
        const response = await awsCall(t.local.urls.stepfunctions, {
          target: 'AWSStepFunctions.StopExecution',
          body,
          secret: TEST_TOKEN,
          service,
        });
        await quiet();

        expect(response.status).toBe(403);
        expect(response.body).toEqual({
          __type: 'InvalidSignatureException',
          message: "Credential should be scoped to correct service: 'states'. ",
        });
        expect(t.local.stepFunctions.describeExecution(running.executionArn).status).toBe('RUNNING');
        expect((await t.call('GET', `/executions/${running.id}`)).body.phase).toBe('Running');
      },
    );

    it('answers ListStateMachines signed with the token for states in any region', async () => {
      const response = await awsCall(t.local.urls.stepfunctions, {
        target: 'AWSStepFunctions.ListStateMachines',
        body: {},
        secret: TEST_TOKEN,
        region: 'eu-central-1',
      });
      expect(response.status).toBe(200);
      expect(response.body.stateMachines).toEqual(expect.any(Array));
    });

    it('answers an unsigned StartExecution with 403 and starts nothing', async () => {
      const running = await runningExecution();
      const before = await sfn.send(new ListExecutionsCommand({ stateMachineArn: running.stateMachineArn }));
      const response = await awsCall(t.local.urls.stepfunctions, {
        target: 'AWSStepFunctions.StartExecution',
        body: { stateMachineArn: running.stateMachineArn, name: 'forged', input: '{}' },
      });
      const after = await sfn.send(new ListExecutionsCommand({ stateMachineArn: running.stateMachineArn }));

      expect(response.status).toBe(403);
      expect(after.executions!.map((e) => e.name)).toEqual(before.executions!.map((e) => e.name));
    });
  });

  // The real AWS CLI where it is installed (`which aws`); elsewhere the same calls go through the SDK, which signs the same way.
  const cliInstalled = spawnSync('aws', ['--version']).status === 0;
  describe(`${cliInstalled ? 'the AWS CLI' : 'the AWS SDK (the AWS CLI is not installed here)'} with AWS_SECRET_ACCESS_KEY=<token>`, () => {
    const home = mkdtempSync(join(tmpdir(), 'lockstep-aws-cli-'));
    afterAll(() => rmSync(home, { recursive: true, force: true }));
    /** The CLI with nothing but these credentials: no profile or config file of the machine's. */
    const aws = (secret: string, args: string[]) =>
      run('aws', ['--region', REGION, ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_ACCESS_KEY_ID: 'anything',
          AWS_SECRET_ACCESS_KEY: secret,
          AWS_CONFIG_FILE: join(home, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
        },
      }).then(
        ({ stdout }) => ({ code: 0, output: JSON.parse(stdout) as Record<string, unknown>, error: '' }),
        (error: { code: number; stderr: string }) => ({
          code: error.code,
          output: {} as Record<string, unknown>,
          error: error.stderr,
        }),
      );
    const sdk = async (
      secret: string,
      send: (credentials: { accessKeyId: string; secretAccessKey: string }) => Promise<object>,
    ) =>
      send({ accessKeyId: 'anything', secretAccessKey: secret }).then(
        ({ $metadata: _, ...output }: { $metadata?: unknown }) => ({
          code: 0,
          output: output as Record<string, unknown>,
          error: '',
        }),
        (error: Error) => ({
          code: 255,
          output: {} as Record<string, unknown>,
          error: `An error occurred (${error.name}): ${error.message}`,
        }),
      );
    const putEvents = (secret: string, entries: object[]) =>
      cliInstalled
        ? aws(secret, [
            '--endpoint-url',
            t.local.urls.eventbridge,
            'events',
            'put-events',
            '--entries',
            JSON.stringify(entries),
          ])
        : sdk(secret, (credentials) =>
            new EventBridgeClient({
              endpoint: t.local.urls.eventbridge,
              region: REGION,
              credentials,
              maxAttempts: 1,
            }).send(new PutEventsCommand({ Entries: entries })),
          );
    const listStateMachines = (secret: string) =>
      cliInstalled
        ? aws(secret, ['--endpoint-url', t.local.urls.stepfunctions, 'stepfunctions', 'list-state-machines'])
        : sdk(secret, (credentials) =>
            new SFNClient({ endpoint: t.local.urls.stepfunctions, region: REGION, credentials, maxAttempts: 1 }).send(
              new ListStateMachinesCommand({}),
            ),
          );

    it('puts a WorkflowExecution Requested with the token as secret, and is refused with another secret', async () => {
      const target = uniqueTarget();
      const refused = await putEvents('not-the-token', requested(target).Entries);
      await quiet();
      expect(await executionsOf(target)).toEqual([]);

      const accepted = await putEvents(TEST_TOKEN, requested(target).Entries);
      await quiet();
      await t.local.stepFunctions.idle();
      await quiet();

      expect(refused).toMatchObject({ code: 255, error: expect.stringMatching(/InvalidSignatureException/) });
      expect(accepted).toMatchObject({ code: 0, output: { FailedEntryCount: 0 } });
      expect(await executionsOf(target)).toEqual([expect.objectContaining({ phase: 'Completed' })]);
    });

    it('lists the state machines with the token as secret', async () => {
      const listed = await listStateMachines(TEST_TOKEN);

      expect(listed.code).toBe(0);
      expect((listed.output.stateMachines as { name: string }[]).map((m) => m.name)).toContain('lockstep-noop-v1');
    });
  });
});
