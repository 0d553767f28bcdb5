/**
 * What EventBridge makes of an event with a rule target's input transformer (a text template), following its user
 * guide ("Amazon EventBridge input transformation"): each `<key>` of `InputPathsMap` is replaced by the value at its
 * JSON path (dot notation); a path the event lacks creates no variable, so its placeholder becomes empty text; a
 * string value inside a quoted template is inserted so that the output stays valid JSON ("EventBridge replaces input
 * transformers at runtime to ensure a valid JSON output"). A text template is a JSON string, and so is the result:
 * the message is that string, parsed. A placeholder with no path, or an output that is not JSON, throws.
 */
export function transformedMessage(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Record<string, unknown>,
): string {
  const output = transformer.InputTemplate.replace(/<([A-Za-z0-9_-]+)>/g, (_, key: string) => {
    const path = transformer.InputPathsMap[key];
    if (path === undefined) throw new Error(`the template's <${key}> has no path in InputPathsMap`);
    const value = valueAt(event, path);
    if (value === undefined) return '';
    return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
  });
  const message: unknown = JSON.parse(output);
  if (typeof message !== 'string') throw new Error(`a text template gave ${output}`);
  return message;
}

function valueAt(event: unknown, path: string): unknown {
  if (!path.startsWith('$.')) throw new Error(`not a dot-notation JSON path: ${path}`);
  return path
    .slice(2)
    .split('.')
    .reduce<unknown>(
      (value, name) =>
        value !== null && typeof value === 'object' && Object.hasOwn(value, name)
          ? (value as Record<string, unknown>)[name]
          : undefined,
      event,
    );
}
