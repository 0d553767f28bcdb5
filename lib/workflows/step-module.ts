import { buildSync, type Message } from 'esbuild';

/**
 * What is wrong with a step handler module, found without running it: esbuild parses it
 * (a syntax error is reported with its line and column) and lists its exports, so an ES
 * module (or a file with no module syntax) that does not export `handler` is refused by `validate`, local mode and the CDK app
 * alike, instead of failing only when the step runs. A module without ES exports (CommonJS,
 * `module.exports`) is not second-guessed: only running it would tell.
 */
export function stepModuleProblem(file: string): string | undefined {
  let exports: string[];
  let esModule: boolean;
  try {
    const { metafile } = buildSync({
      entryPoints: [file],
      bundle: false,
      write: false,
      metafile: true,
      format: 'esm',
      logLevel: 'silent',
      platform: 'node',
    });
    exports = Object.values(metafile.outputs).flatMap((output) => output.exports);
    // `cjs` where it uses module.exports or require; a file with no module syntax at all exports nothing.
    esModule = !Object.values(metafile.inputs).some((input) => input.format === 'cjs');
  } catch (error) {
    const [first] = ((error as { errors?: Message[] }).errors ?? []) as Message[];
    if (!first) return `cannot be read as a module: ${(error as Error).message}`;
    const at = first.location ? ` (line ${first.location.line}, column ${first.location.column + 1})` : '';
    return `is not valid ${/\.m?ts$/.test(file) ? 'TypeScript' : 'JavaScript'}: ${first.text}${at}`;
  }
  if (esModule && !exports.includes('handler'))
    return `exports no handler (${exports.length > 0 ? `exports: ${exports.join(', ')}` : 'it exports nothing'}): a step module must export handler(event, context), as Lambda calls it`;
  return undefined;
}
