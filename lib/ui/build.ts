// `npm run build`: node --import tsx lib/ui/build.ts dist/lib/ui/assets — the status page,
// bundled once, into the folder the installed package serves it from (see status-page.ts).
import { writeStatusPage } from './build-status-page.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: build.ts OUTDIR\n');
  process.exit(1);
}
const names = await writeStatusPage(dir);
process.stdout.write(`status page: ${names.join(', ')} in ${dir}\n`);
