import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One file of the built page, by its name under `/ui/`. */
export interface PageAsset {
  name: string;
  contents: Buffer;
}

/**
 * Builds the status page: `index.html`, `app.js` and `app.css`, everything it needs, nothing
 * fetched from elsewhere.
 *
 * The stack, and why: Preact (about 4 KB) with `preact/hooks` for state, and htm for
 * templates (tagged template literals, so no JSX and no compiler option for the rest of
 * `lib/`). Preact escapes every text and attribute value it renders, and the page never sets
 * `innerHTML` (`dangerouslySetInnerHTML` appears nowhere): targets, parameters and error
 * messages are user input. esbuild, already a runtime dependency, bundles and minifies it
 * into one script (about 200 KB, most of it re2js and its Unicode tables); there is no other
 * build tool. The page reuses the domain's own parameter rules (`lib/domain/workflow-parameters.ts`)
 * and pattern engine (`lib/domain/user-pattern.ts`), so the Run form refuses exactly what the API would.
 */
export async function buildStatusPage(): Promise<Map<string, PageAsset>> {
  const { build } = await import('esbuild');
  const page = new URL('./page/', import.meta.url);
  // Only the repository has the sources; the package ships the page prebuilt (status-page.ts).
  if (!existsSync(new URL('main.ts', page)))
    throw new Error(
      `the status page's sources are not in ${fileURLToPath(page)}; build the package with npm run build`,
    );
  const result = await build({
    entryPoints: { app: fileURLToPath(new URL('main.ts', page)), style: fileURLToPath(new URL('style.css', page)) },
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, PageAsset>();
  for (const output of result.outputFiles) {
    const name = output.path.slice(output.path.lastIndexOf('/') + 1);
    files.set(name, { name, contents: Buffer.from(output.contents) });
  }
  files.set('index.html', { name: 'index.html', contents: readFileSync(new URL('index.html', page)) });
  return files;
}

/** Writes the built page into `dir` (`npm run build`: `dist/lib/ui/assets`, where the installed package serves it from). */
export async function writeStatusPage(dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = await buildStatusPage();
  for (const { name, contents } of files.values()) writeFileSync(`${dir}/${name}`, contents);
  return [...files.keys()];
}
