import { describe, expect, it } from 'vitest';
import { ListQuerySchema, TargetListQuerySchema } from '../../../lib/contract/api-schemas.js';

const since = (value: string) => ListQuerySchema.safeParse({ since: value });

describe('the listing query: RFC 3339 times', () => {
  it.each([
    ['2026-11-25T04:00:00Z', '2026-11-25T04:00:00.000Z'],
    ['2026-11-25t04:00:00.5z', '2026-11-25T04:00:00.500Z'],
    ['2026-11-25T23:30:00-05:00', '2026-11-26T04:30:00.000Z'],
    ['2026-11-25T01:30:00+05:00', '2026-11-24T20:30:00.000Z'],
    ['2024-02-29T00:00:00.123456789Z', '2024-02-29T00:00:00.123Z'],
  ])('reads %s as %s (UTC, milliseconds)', (text, utc) => {
    expect(since(text)).toMatchObject({ success: true, data: { since: utc } });
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-25T24:00:00Z',
    '2026-11-25T04:60:00Z',
    '2026-11-25T04:00:60Z',
    '2026-11-25T04:00:00+24:00',
    '2026-11-25T04:00:00',
    '2026-11-25',
    'yesterday',
    '2026-11-25T04:00:00 Z',
  ])('refuses %s', (text) => {
    expect(since(text).success).toBe(false);
  });
});

describe('the listing query: the active phases across targets', () => {
  it.each(['AwaitingApproval', 'Pending', 'Running'])('takes phase=%s without a window', (phase) => {
    expect(ListQuerySchema.safeParse({ phase }).success).toBe(true);
  });

  it.each(['Completed', 'Failed', 'Skipped'])('needs a window for phase=%s', (phase) => {
    expect(ListQuerySchema.safeParse({ phase }).success).toBe(false);
  });
});

describe('the target listing query', () => {
  it.each(['Running', 'AwaitingApproval', 'Blocked', 'CoolingDown', 'BackingOff'])('takes state=%s', (state) => {
    expect(TargetListQuerySchema.safeParse({ state }).success).toBe(true);
  });

  it('refuses Idle and unknown states, naming AwaitingApproval among the states it takes', () => {
    for (const state of ['Idle', 'Awaiting', 'awaitingapproval']) {
      const result = TargetListQuerySchema.safeParse({ state });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain('AwaitingApproval');
    }
  });
});
