import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, Phase, progressOf } from '../../../lib/domain/phase.js';

const all = Object.values(Phase);

describe('phase transitions', () => {
  it('allows exactly the lifecycle of the design', () => {
    const allowed = [null, ...all].flatMap((from) =>
      all.filter((to) => canTransition(from, to)).map((to) => `${from ?? 'new'}→${to}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'AwaitingApproval→Failed',
        'AwaitingApproval→Pending',
        'Pending→Failed',
        'Pending→Running',
        'Running→Completed',
        'Running→Failed',
        'new→AwaitingApproval',
        'new→Pending',
        'new→Skipped',
      ].sort(),
    );
  });

  it('never leaves a terminal phase', () => {
    for (const from of all.filter(isTerminal)) for (const to of all) expect(canTransition(from, to)).toBe(false);
  });

  it('orders phases by the lifecycle: every allowed transition moves forward', () => {
    for (const from of all)
      for (const to of all) if (canTransition(from, to)) expect(progressOf(to)).toBeGreaterThan(progressOf(from));
    expect(new Set(all.filter(isTerminal).map(progressOf))).toEqual(new Set([3]));
  });
});
