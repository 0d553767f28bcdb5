import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLocalMode, type TestLocalMode } from '../../support/local-mode.js';

/** Each way a target reaches the API, and the location its 400 details name (API.md: details say where the bad input was). */
const BAD_TARGETS = ['a/b/c/d', 'ns/deployment/api\n', 'ns//api', 'ns/deployment/pay\u200bments'];

describe('a bad targetResource is a 400 whose details name where it was, as for every other field', () => {
  let t: TestLocalMode;
  beforeAll(async () => {
    t = await startTestLocalMode();
  });
  afterAll(() => t.local.stop());

  it.each(BAD_TARGETS)('POST /executions with %j: body.targetResource', async (target) => {
    const response = await t.call('POST', '/executions', { body: { targetResource: target, workflowId: 'noop' } });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([expect.stringMatching(/^body\.targetResource: \S/)]);
  });

  it.each(BAD_TARGETS)('GET /executions?targetResource=%j: query.targetResource', async (target) => {
    const response = await t.call('GET', `/executions?targetResource=${encodeURIComponent(target)}`);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([expect.stringMatching(/^query\.targetResource: \S/)]);
  });

  it.each(BAD_TARGETS)('GET and clearance of /targets/%j: path.targetResource', async (target) => {
    const read = await t.call('GET', `/targets/${encodeURIComponent(target)}`);
    const clear = await t.call('POST', `/targets/${encodeURIComponent(target)}/clearance`, {
      body: { reason: 'fixed' },
    });
    for (const response of [read, clear]) {
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([expect.stringMatching(/^path\.targetResource: \S/)]);
    }
  });
});
