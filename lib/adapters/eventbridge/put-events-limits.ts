/**
 * What one PutEvents call may carry (Amazon EventBridge quotas; user guide, "Calculating
 * PutEvents event entry size"): at most 10 entries, whose sizes together stay under 256 KiB.
 * The limit is on the call, so it binds an entry alone too: an entry of 256 KiB or more can
 * never be put, whatever it is sent with. The guide says "less than 256KB" where the API
 * reference says "maximum": the stricter reading is kept, so a call the publisher makes is
 * within both, and the local bus refuses what either would.
 */
export const PUT_EVENTS_MAX_ENTRIES = 10;
const PUT_EVENTS_SIZE_LIMIT_BYTES = 256 * 1024;

/** The fields of an entry that count, as a request gives them (the local bus sizes entries before it checks them). */
export interface SizedEntry {
  Time?: unknown;
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
}

/**
 * An entry's size as EventBridge counts it: 14 bytes for `Time` when given, and the UTF-8
 * bytes of `Source`, `DetailType`, `Detail` and each of `Resources`. `EventBusName` and
 * `TraceHeader` do not count; neither does the JSON around the fields (a request body is larger).
 */
export function putEventsEntrySize(entry: SizedEntry): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources)
    ? entry.Resources.reduce((sum: number, resource: unknown) => sum + bytes(resource), 0)
    : 0;
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources
  );
}

/** Whether entries of these total bytes fit in one call. */
export function fitsInOneCall(totalBytes: number): boolean {
  return totalBytes < PUT_EVENTS_SIZE_LIMIT_BYTES;
}
