import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTarget } from '../../support/lifecycle.js';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

describe('parameters are checked at admission, before anything is written', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode();
  });
  afterAll(() => t.local.stop());

  it.each([
    ['not a whole number', 'abc', /SECONDS: must be a whole number/],
    ['too large (the report: 2147484)', '2147484', /SECONDS: must be at most 86400/],
    ['negative', '-5', /SECONDS: must be at least 0/],
    // The workflow reads it with States.StringToJson, which refuses a leading zero: admitted, it would fail the run and block the target.
    ['with a leading zero', '05', /SECONDS: must be a whole number written as JSON/],
  ])('refuses wait SECONDS %s with 400 naming the parameter, and leaves no record', async (_label, value, message) => {
    const target = uniqueTarget();
    const mark = t.metricLines.length;

    const response = await t.call('POST', '/executions', {
      body: { targetResource: target, workflowId: 'wait', parameters: { SECONDS: value } },
    });

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ValidationError', details: [expect.stringMatching(message)] });
    expect((await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`)).body.items).toEqual([]);
    expect((await t.call('GET', `/targets/${encodeURIComponent(target)}`)).body).toMatchObject({
      state: 'Idle',
      consecutiveFailures: 0,
    });
    expect(t.metricLines.length).toBe(mark);
  });

  it('runs a value that keeps the rules', async () => {
    const response = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'wait', parameters: { SECONDS: '0' } },
    });
    expect(response.status).toBe(201);
    await t.settle();
  });

  it('refuses a missing required parameter, naming it', async () => {
    const response = await t.call('POST', '/executions', {
      body: { targetResource: uniqueTarget(), workflowId: 'restart-ecs-service', parameters: { CLUSTER: 'prod' } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([expect.stringMatching(/^body\.parameters\.SERVICE: is required/)]);
  });
});
