export interface Column<T> {
  header: string;
  value: (row: T) => string | undefined;
  /** May be shortened (with …) to fit the terminal; the others are shortened only when that is not enough. */
  flexible?: boolean;
}

const GAP = '  ';
/** A column is never shortened below this (or its header). */
const MIN_WIDTH = 6;

/**
 * A table with a header row, columns as wide as their widest cell, and, when `width` is set
 * (a terminal), the flexible columns shortened with … until a row fits in it. Without a width
 * (a pipe, a file) nothing is cut, so `grep` and `awk` see whole values.
 */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[], width?: number): string {
  const cells = rows.map((row) => columns.map((column) => oneLine(column.value(row) ?? '-')));
  const widths = columns.map((column, index) =>
    Math.max(length(column.header), ...cells.map((row) => length(row[index]!))),
  );
  if (width !== undefined) fit(columns, widths, width);
  const line = (row: string[]) =>
    row
      .map((cell, index) =>
        index === row.length - 1 ? cut(cell, widths[index]!) : pad(cut(cell, widths[index]!), widths[index]!),
      )
      .join(GAP)
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n') + '\n';
}

/** `label: value` lines, labels aligned; absent values are left out. */
export function renderFields(fields: readonly (readonly [string, string | undefined])[]): string {
  const present = fields.filter(
    (field): field is readonly [string, string] => field[1] !== undefined && field[1] !== '',
  );
  const labelWidth = Math.max(0, ...present.map(([label]) => length(label) + 1));
  return (
    present
      .map(
        ([label, value]) =>
          `${pad(`${label}:`, labelWidth)} ${value.split('\n').join(`\n${' '.repeat(labelWidth + 1)}`)}`,
      )
      .join('\n') + '\n'
  );
}

/** Shortens the widest columns, flexible ones first, until the row fits in `width` (or nothing can give more). */
function fit<T>(columns: readonly Column<T>[], widths: number[], width: number) {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  const floor = (index: number) => Math.max(MIN_WIDTH, length(columns[index]!.header));
  for (const flexibleOnly of [true, false]) {
    while (total() > width) {
      const candidates = widths
        .map((w, index) => index)
        .filter((index) => (!flexibleOnly || columns[index]!.flexible) && widths[index]! > floor(index));
      if (candidates.length === 0) break;
      const widest = candidates.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
      widths[widest] = Math.max(floor(widest), widths[widest]! - (total() - width));
    }
  }
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters would break the row
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

/** Length in code points (what a terminal mostly shows as one cell each). */
function length(text: string): number {
  return [...text].length;
}

function cut(text: string, width: number): string {
  const points = [...text];
  return points.length <= width ? text : `${points.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - length(text)));
}
