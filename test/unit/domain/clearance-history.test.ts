import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BlockClearance, idleTarget, type TargetState } from '../../../lib/domain/target.js';
import { cleared } from '../../../lib/domain/transitions.js';

const MAX_CLEARANCE_HISTORY_BYTES = 64 * 1024;
const bytesOf = (clearances: BlockClearance[]) =>
  clearances.reduce(
    (sum, c) => sum + Object.values(c).reduce((n, value) => n + Buffer.byteLength(String(value)), 0),
    0,
  );
const blocked = (blockClearances: BlockClearance[]): TargetState => ({
  ...idleTarget('a/b'),
  blockReason: 'PreviousExecutionFailed',
  blockedByExecutionId: 'e-0',
  blockClearances,
});

describe('the clearance history a target keeps', () => {
  it('stays within 64 KiB and 50 clearances whatever the clearances, and always keeps the newest', () => {
    // Reasons up to the API's limit (4,096 characters), of any width; names up to 256.
    const text = (max: number) =>
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0);
    const clearance = fc.record({
      clearedBy: text(256),
      reason: fc.oneof(text(4096), fc.constant('中'.repeat(4096)), fc.constant('😀'.repeat(2048))),
    });
    fc.assert(
      fc.property(fc.array(clearance, { minLength: 1, maxLength: 80 }), (sequence) => {
        let history: BlockClearance[] = [];
        sequence.forEach(({ clearedBy, reason }, i) => {
          history = cleared(blocked(history), {
            clearedBy,
            reason,
            at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
            maxKept: 50,
          }).target.blockClearances;
          expect(history.at(-1)).toMatchObject({ clearedBy: clearedBy.trim(), reason: reason.trim() });
          expect(history.length).toBeLessThanOrEqual(50);
          if (history.length > 1) expect(bytesOf(history)).toBeLessThanOrEqual(MAX_CLEARANCE_HISTORY_BYTES);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('keeps the newest clearances that fit, oldest dropped first', () => {
    let history: BlockClearance[] = [];
    for (let i = 0; i < 60; i++)
      history = cleared(blocked(history), {
        clearedBy: `p${i}`,
        reason: '中'.repeat(4096),
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        maxKept: 50,
      }).target.blockClearances;
    // 12,288 bytes of reason each, plus its other fields: five fit in 64 KiB.
    expect(history.map((c) => c.clearedBy)).toEqual(['p55', 'p56', 'p57', 'p58', 'p59']);
  });

  it('keeps the count rule for small clearances', () => {
    let history: BlockClearance[] = [];
    for (let i = 0; i < 60; i++)
      history = cleared(blocked(history), {
        clearedBy: 'me',
        reason: `r${i}`,
        at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
        maxKept: 50,
      }).target.blockClearances;
    expect(history).toHaveLength(50);
    expect(history[0]!.reason).toBe('r10');
  });
});
