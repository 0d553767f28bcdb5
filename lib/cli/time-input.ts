import { CliError } from './errors.js';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;
const DURATION = /^(\d{1,9})(s|m|h|d|w)$/;
/** RFC 3339: a date, `T` (or `t`, or a space), a time with optional fraction, and `Z` or an offset. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A point in time for `ls --since`/`--until`: a duration back from `now` (`90s`, `30m`, `1h`,
 * `2d`, `1w`) or an RFC 3339 timestamp (`2026-01-31T08:00:00Z`, `2026-01-31T09:00:00+01:00`).
 * Returns the RFC 3339 UTC string the API takes (whole seconds unless a fraction was given).
 */
export function parseTimeInput(text: string, now: Date, option = '--since'): string {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) {
    const seconds = Number(duration[1]) * UNIT_SECONDS[duration[2] as keyof typeof UNIT_SECONDS];
    return rfc3339(new Date(Math.floor(now.getTime() / 1000) * 1000 - seconds * 1000));
  }
  const stamp = RFC3339.exec(trimmed);
  if (stamp) {
    const [, year, month, day, hour, minute, second, fraction] = stamp.map(Number) as number[];
    const at = new Date(trimmed.replace(' ', 'T'));
    // Date accepts 2026-02-30 (as March 2); RFC 3339 does not.
    const local = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
    const fields = [
      local.getUTCFullYear(),
      local.getUTCMonth() + 1,
      local.getUTCDate(),
      local.getUTCHours(),
      local.getUTCMinutes(),
      local.getUTCSeconds(),
    ];
    const inRange =
      !Number.isNaN(at.getTime()) &&
      fields.every((value, index) => value === [year, month, day, hour, minute, second][index]);
    if (inRange) return rfc3339(at, !Number.isNaN(fraction));
  }
  throw new CliError(
    `${option}: "${text}" is neither a duration back from now (30s, 30m, 1h, 2d, 1w) nor an RFC 3339 time (2026-01-31T08:00:00Z)`,
  );
}

function rfc3339(at: Date, withFraction = false): string {
  const iso = at.toISOString();
  return withFraction ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}
