/**
 * Why this Node.js cannot run the command, or undefined when it can. The floor is the package's
 * `engines.node` (`>=MAJOR.MINOR`): below it the command itself starts, but local mode's
 * interpreter and the steps it runs fail on the first execution with a missing built-in.
 */
export function unsupportedNode(version: string, engines: string): string | undefined {
  const floor = /^>=\s*(\d+)\.(\d+)/.exec(engines);
  if (!floor) throw new Error(`package.json engines.node "${engines}" is not of the form >=MAJOR.MINOR`);
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [wantMajor, wantMinor] = [Number(floor[1]), Number(floor[2])];
  if (major > wantMajor || (major === wantMajor && minor >= wantMinor)) return undefined;
  return (
    `lockstep needs Node.js ${wantMajor}.${wantMinor} or later, and this is ${version}. Install it, or add it to ` +
    `this project with \`npm install --save-dev node@${wantMajor}\`: npx lockstep and npm scripts then run on it.`
  );
}
