// The api function's cold start as a caller meets it: a fresh Node process imports the bundle
// as Lambda loads it and answers its first admitted request (POST /executions, an API Gateway
// v1 proxy event, against local mode's DynamoDB and Step Functions endpoints), over a fresh
// process of the baseline function importing and making its first conditional write. Both
// include what a first request costs every SDK client (credentials, endpoint rules, a
// connection); the api makes two in sequence (the conditional admission write, then
// StartExecution), the baseline one.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ENVIRONMENT } from '../lib/contract/environment.js';
import { LOCAL_REGION } from '../lib/local/dynamodb-local.js';
import type { LocalMode } from '../lib/local/local-mode.js';
import { apiGatewayPost } from '../test/support/api-gateway-event.js';
import { BASELINE, bundleDir, lambdaEnvironment } from './bundles.js';
import { median, round, say } from './support.js';

const run = promisify(execFile);

export interface FirstAnswerFigures {
  samples: number;
  apiFirstAnswerMedianMs: number;
  baselineFirstWriteMedianMs: number;
  coldStartFirstAnswerOverBaseline: number;
  /** Of the first answer, the import of the bundle alone (medians). */
  apiImportMedianMs: number;
  baselineImportMedianMs: number;
  apiSamplesMs: number[];
  baselineSamplesMs: number[];
}

/** Rounds of one fresh process of each, alternating, before `samples` measured ones. */
const WARM_UP_ROUNDS = 3;

/** `samples` fresh processes of each, alternating, each on a fresh target (so that every request is admitted). */
export async function measureFirstAnswer(
  root: string,
  local: LocalMode,
  tableName: string,
  samples: number,
): Promise<FirstAnswerFigures> {
  const sfn = new SFNClient({
    endpoint: local.urls.stepfunctions,
    region: LOCAL_REGION,
    credentials: local.credentials,
  });
  const machines = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
  sfn.destroy();
  const stateMachineArns = Object.fromEntries(machines.map((m) => [m.name!, m.stateMachineArn!]));
  // The Lambda environment, on local mode's endpoints (the SDK reads AWS_ENDPOINT_URL_<SERVICE>) and its token.
  const onLocal = (name: string) => ({
    ...lambdaEnvironment(name, bundleDir(root, name), Object.keys(stateMachineArns)),
    [ENVIRONMENT.tableName]: tableName,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: local.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: local.urls.dynamodb,
    AWS_ENDPOINT_URL_SFN: local.urls.stepfunctions,
    ...(name !== BASELINE && { [ENVIRONMENT.stateMachineArns]: JSON.stringify(stateMachineArns) }),
  });
  const api: Sample[] = [];
  const baseline: Sample[] = [];
  // The first rounds meet local endpoints that have not answered these calls yet (DynamoDB Local's JVM, the local
  // Step Functions endpoint): their times measure the endpoints' warm-up, not a cold function, and are left out.
  for (let round = -WARM_UP_ROUNDS; round < samples; round++) {
    const target = `bench-cold/deployment/first-${randomUUID().slice(0, 8)}`;
    const apiSample = await firstAnswer(
      root,
      'api',
      onLocal('api'),
      apiGatewayPost({ targetResource: target, workflowId: 'noop' }),
      201,
    );
    const baselineSample = await firstAnswer(
      root,
      BASELINE,
      onLocal(BASELINE),
      { tableName, key: `bench-cold#${randomUUID()}` },
      200,
    );
    if (round < 0) continue;
    api.push(apiSample);
    baseline.push(baselineSample);
    if ((round + 1) % 5 === 0) say(`  first answers: ${round + 1}/${samples} of each`);
  }
  const apiMedian = median(api.map((s) => s.ms));
  const baselineMedian = median(baseline.map((s) => s.ms));
  return {
    samples,
    apiFirstAnswerMedianMs: apiMedian,
    baselineFirstWriteMedianMs: baselineMedian,
    coldStartFirstAnswerOverBaseline: round(apiMedian / baselineMedian),
    apiImportMedianMs: median(api.map((s) => s.importMs)),
    baselineImportMedianMs: median(baseline.map((s) => s.importMs)),
    apiSamplesMs: api.map((s) => round(s.ms)),
    baselineSamplesMs: baseline.map((s) => round(s.ms)),
  };
}

interface Sample {
  ms: number;
  importMs: number;
}

/** A fresh Node process: the time from importing the bundle to its handler's first answer, which must be `status`. */
async function firstAnswer(
  root: string,
  name: string,
  env: Record<string, string>,
  event: unknown,
  status: number,
): Promise<Sample> {
  const bundle = pathToFileURL(`${bundleDir(root, name)}/index.mjs`).href;
  const context = `{ functionName: 'lockstep-${name}', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:${LOCAL_REGION}:123456789012:function:lockstep-${name}', memoryLimitInMB: '256', awsRequestId: crypto.randomUUID(), logGroupName: '/aws/lambda/lockstep-${name}', logStreamName: 'bench', callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => 30000 }`;
  const script = `const t = performance.now(); const { handler } = await import(${JSON.stringify(bundle)}); const importMs = performance.now() - t; const answer = await handler(${JSON.stringify(event)}, ${context}); const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, importMs, statusCode: answer.statusCode, body: answer.body })); process.exit(0);`;
  // Not execFileSync: local mode's endpoints answer from this process's event loop.
  const { stdout: output } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
  const { ms, importMs, statusCode, body } = JSON.parse(output.slice(output.lastIndexOf('{"ms"'))) as Sample & {
    statusCode: number;
    body?: string;
  };
  if (statusCode !== status) throw new Error(`${name} answered ${statusCode}, not ${status}: ${body}`);
  // An admission whose run did not start answers 201 too, Failed: only a started run counts as the first answer.
  if (name !== BASELINE && !/"phase":"(Pending|Running)"/.test(body ?? ''))
    throw new Error(`${name} admitted without starting a run: ${body}`);
  return { ms, importMs };
}
