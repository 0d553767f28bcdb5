import { describe, expect, it } from 'vitest';
import { Phase, canTransition, isTerminal } from '../../../lib/domain/phase.js';

const all = Object.values(Phase);

describe('phase transitions', () => {
  it('allows exactly the lifecycle of the design', () => {
    const allowed = [null, ...all].flatMap((from) => all.filter((to) => canTransition(from, to)).map((to) => `${from ?? 'new'}→${to}`));
    expect(allowed.sort()).toEqual(['Pending→Failed', 'Pending→Running', 'Running→Completed', 'Running→Failed', 'new→Pending', 'new→Skipped'].sort());
  });

  it('never leaves a terminal phase', () => {
    for (const from of all.filter(isTerminal)) for (const to of all) expect(canTransition(from, to)).toBe(false);
  });
});
