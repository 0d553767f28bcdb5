import { describe, expect, it } from 'vitest';
import { type Column, renderFields, renderTable } from '../../../lib/cli/table.js';
import { duration, relative } from '../../../lib/cli/time-format.js';

type Row = { id: string; target: string; phase: string };
const columns: Column<Row>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'TARGET', value: (r) => r.target, flexible: true },
  { header: 'PHASE', value: (r) => r.phase },
];
const rows: Row[] = [
  { id: 'e-1', target: 'payments/deployment/payments-api-with-a-long-name', phase: 'Completed' },
  { id: 'e-22', target: 'shop/deployment/checkout', phase: 'Failed' },
];

describe('tables', () => {
  it('are as wide as their widest cells, with nothing cut when there is no terminal width', () => {
    expect(renderTable(columns, rows)).toBe(
      [
        'ID    TARGET                                             PHASE',
        'e-1   payments/deployment/payments-api-with-a-long-name  Completed',
        'e-22  shop/deployment/checkout                           Failed',
        '',
      ].join('\n'),
    );
  });

  it('fit a terminal by cutting the flexible columns first, with …', () => {
    const table = renderTable(columns, rows, 40);
    const lines = table.trimEnd().split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(40);
    expect(lines[1]).toBe('e-1   payments/deployment/pa…  Completed');
    expect(lines[2]).toBe('e-22  shop/deployment/checko…  Failed');
    expect([...lines[1]!].length).toBe(40);
  });

  it('cut the other columns too when the flexible ones are not enough, never below their header', () => {
    const lines = renderTable(columns, rows, 20).trimEnd().split('\n');
    expect(lines[0]).toBe('ID    TARGET  PHASE');
    expect(lines[1]).toBe('e-1   payme…  Compl…');
  });

  it('keep each cell on one line and mark what is absent', () => {
    expect(renderTable(columns, [{ id: 'a\nb', target: '', phase: undefined as unknown as string }])).toBe(
      'ID   TARGET  PHASE\na b          -\n',
    );
  });

  it('fields align their labels and leave out what is absent', () => {
    expect(
      renderFields([
        ['ID', 'e-1'],
        ['Why', undefined],
        ['Requested by', 'me'],
        ['Clearances', 'one\ntwo'],
      ]),
    ).toBe('ID:           e-1\nRequested by: me\nClearances:   one\n              two\n');
  });
});

describe('times', () => {
  const now = new Date('2026-01-31T12:00:00Z');
  it('read relative to now', () => {
    expect(relative('2026-01-31T11:59:58Z', now)).toBe('2s ago');
    expect(relative('2026-01-31T11:56:00Z', now)).toBe('4m ago');
    expect(relative('2026-01-31T09:00:00Z', now)).toBe('3h ago');
    expect(relative('2026-01-29T12:00:00Z', now)).toBe('2d ago');
    expect(relative('2026-01-31T12:05:00Z', now)).toBe('in 5m');
    expect(relative('2026-01-31T12:00:00.300Z', now)).toBe('just now');
    expect(relative(undefined, now)).toBeUndefined();
  });

  it('durations read in the largest units', () => {
    expect(duration(0.42)).toBe('0.4s');
    expect(duration(12.5)).toBe('13s');
    expect(duration(245)).toBe('4m 05s');
    expect(duration(3 * 3600 + 125)).toBe('3h 02m');
    expect(duration(2 * 86_400 + 4 * 3600)).toBe('2d 04h');
  });
});
