import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHaveRunBeforeRestart } from '../../../lib/domain/local-restart.js';

describe('mayHaveRunBeforeRestart', () => {
  const restart = new Date('2026-03-01T12:00:00.000Z');

  it('is false wherever the endpoint knows its runs across restarts (AWS, a journal), whatever the execution’s age', () => {
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true }),
        (createdAt) => !mayHaveRunBeforeRestart(createdAt.toISOString(), undefined),
      ),
    );
  });

  it('is true exactly for an execution created before the endpoint started knowing every run', () => {
    expect(mayHaveRunBeforeRestart('2026-03-01T11:59:59.999Z', restart)).toBe(true);
    expect(mayHaveRunBeforeRestart('2025-01-01T00:00:00.000Z', restart)).toBe(true);
    expect(mayHaveRunBeforeRestart('2026-03-01T12:00:00.000Z', restart)).toBe(false);
    expect(mayHaveRunBeforeRestart('2026-03-01T12:00:00.001Z', restart)).toBe(false);
    fc.assert(
      fc.property(
        fc.date({ noInvalidDate: true }),
        (createdAt) => mayHaveRunBeforeRestart(createdAt.toISOString(), restart) === createdAt < restart,
      ),
    );
  });
});
