/**
 * Amazon States Language reference paths (`$`, `$.a.b`, `$['a b']`, `$.list[0]`): a single
 * node, no wildcards or filters. Enough for `TimeoutSecondsPath`, which must be one.
 */
export type ReferencePath = (string | number)[];

const SEGMENT = /^(?:\.([^.[\]'"]+)|\['([^']*)'\]|\["([^"]*)"\]|\[(\d+)\])/;

/** The segments of a reference path; `undefined` when `path` is not one. */
export function parseReferencePath(path: string): ReferencePath | undefined {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const segments: ReferencePath = [];
  let rest = path.slice(1);
  while (rest) {
    const match = SEGMENT.exec(rest);
    if (!match) return undefined;
    const [whole, dotted, single, double, index] = match;
    segments.push(index !== undefined ? Number(index) : (dotted ?? single ?? double)!);
    rest = rest.slice(whole.length);
  }
  return segments;
}

/** The node `segments` select in `value`, reading own properties only; `undefined` when there is none. */
export function readReferencePath(segments: ReferencePath, value: unknown): unknown {
  let node = value;
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    if (
      typeof segment === 'number'
        ? !Array.isArray(node) || segment >= node.length
        : Array.isArray(node) || !Object.hasOwn(node, segment)
    )
      return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}
