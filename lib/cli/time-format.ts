/** `12s ago`, `4m ago`, `3h ago`, `2d ago`, or `in 5m` for a time still ahead. */
export function relative(at: string | undefined, now: Date): string | undefined {
  if (at === undefined) return undefined;
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  const seconds = Math.round((now.getTime() - ms) / 1000);
  if (Math.abs(seconds) < 1) return 'just now';
  const span = compact(Math.abs(seconds));
  return seconds > 0 ? `${span} ago` : `in ${span}`;
}

/** The exact time as the API gave it, and how long ago: `2026-01-31T08:00:00.000Z (4m ago)`. */
export function exactAndRelative(at: string | undefined, now: Date): string | undefined {
  return at === undefined ? undefined : `${at} (${relative(at, now)})`;
}

/** A duration in seconds: `0.4s`, `12.5s`, `4m 05s`, `3h 02m`, `2d 04h`. */
export function duration(seconds: number | undefined): string | undefined {
  if (seconds === undefined) return undefined;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s`;
  return compact(Math.round(seconds), true);
}

function compact(seconds: number, precise = false): string {
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const index = units.findIndex(([, size]) => seconds >= size);
  const [unit, size] = units[Math.max(0, index)]!;
  const whole = Math.floor(seconds / size);
  if (!precise || unit === 's') return `${whole}${unit}`;
  const [smallUnit, smallSize] = units[index + 1]!;
  return `${whole}${unit} ${String(Math.floor((seconds % size) / smallSize)).padStart(2, '0')}${smallUnit}`;
}
