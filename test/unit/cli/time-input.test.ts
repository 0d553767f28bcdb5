import { describe, expect, it } from 'vitest';
import { listQuery } from '../../../lib/cli/commands/execution-commands.js';
import { CliError } from '../../../lib/cli/errors.js';
import { parseTimeInput } from '../../../lib/cli/time-input.js';

const now = new Date('2026-01-31T12:00:00.750Z');

describe('--since and --until', () => {
  it('reads a duration back from now, in whole seconds, as an RFC 3339 UTC time', () => {
    expect(parseTimeInput('1h', now)).toBe('2026-01-31T11:00:00Z');
    expect(parseTimeInput('30m', now)).toBe('2026-01-31T11:30:00Z');
    expect(parseTimeInput('90s', now)).toBe('2026-01-31T11:58:30Z');
    expect(parseTimeInput('2d', now)).toBe('2026-01-29T12:00:00Z');
    expect(parseTimeInput('1w', now)).toBe('2026-01-24T12:00:00Z');
    expect(parseTimeInput(' 0s ', now)).toBe('2026-01-31T12:00:00Z');
  });

  it('reads an RFC 3339 time with Z or an offset, keeping a fraction when one was given', () => {
    expect(parseTimeInput('2026-01-31T08:00:00Z', now)).toBe('2026-01-31T08:00:00Z');
    expect(parseTimeInput('2026-01-31T09:00:00+01:00', now)).toBe('2026-01-31T08:00:00Z');
    expect(parseTimeInput('2026-01-31t08:00:00.25z', now)).toBe('2026-01-31T08:00:00.250Z');
    expect(parseTimeInput('2026-01-31 08:00:00-00:30', now)).toBe('2026-01-31T08:30:00Z');
  });

  it('refuses anything else, naming the option', () => {
    for (const text of [
      '',
      'yesterday',
      '1',
      'h',
      '1.5h',
      '-1h',
      '1y',
      '2026-01-31',
      '2026-01-31T08:00:00',
      '2026-02-30T08:00:00Z',
      '2026-13-01T08:00:00Z',
      '2026-01-31T24:00:00Z',
      '2026-01-31T08:00:00+25:00',
    ]) {
      expect(() => parseTimeInput(text, now, '--until'), text).toThrow(CliError);
    }
    expect(() => parseTimeInput('soon', now, '--until')).toThrow(/^--until: "soon" is neither a duration/);
  });
});

describe('the ls query', () => {
  it("with --target, is one target's listing with its phase", () => {
    expect(listQuery({ target: 'a/b/c', phase: 'Failed' }, now)).toEqual({ targetResource: 'a/b/c', phase: 'Failed' });
    expect(() => listQuery({ target: 'a/b/c', since: '1h', workflow: 'w' }, now)).toThrow(
      /^--since, --workflow list across targets/,
    );
  });

  it('across targets, is the active ones for AwaitingApproval, Pending or Running, else a time window (the last 24 hours unless --since says)', () => {
    expect(listQuery({ phase: 'Running' }, now)).toEqual({ phase: 'Running' });
    expect(listQuery({ phase: 'AwaitingApproval' }, now)).toEqual({ phase: 'AwaitingApproval' });
    expect(listQuery({ phase: 'Pending', workflow: 'noop' }, now)).toEqual({ phase: 'Pending', workflowId: 'noop' });
    expect(listQuery({}, now)).toEqual({ since: '2026-01-30T12:00:00Z' });
    expect(listQuery({ phase: 'Failed', since: '2h', until: '1h', workflow: 'fail' }, now)).toEqual({
      phase: 'Failed',
      since: '2026-01-31T10:00:00Z',
      until: '2026-01-31T11:00:00Z',
      workflowId: 'fail',
    });
  });
});
