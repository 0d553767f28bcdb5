import { describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/http-listen.js';
import { ANY_FREE_AWS_PORTS, startNpmStart } from '../../support/npm-start.js';
import {
  cleanUp,
  describeProcesses,
  isAlive,
  processTree,
  waitForEndpoints,
  waitUntilGone,
} from './signals-npm-start.js';

// A service manager (systemd, a container runtime, a CI job) signals the process it started,
// npm itself, not its process group: that alone must stop everything, DynamoDB Local included.
describe('npm start, signalled the way a service manager does it', () => {
  // SIGKILL cannot be relayed: local mode notices that npm, which started it, is gone.
  // Each signal on an npm start of its own (own port, own process tree, DynamoDB Local in memory): side by side.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it.concurrent(`stops every process it started, DynamoDB Local included, on ${signal} to npm alone`, {
      timeout: 150_000,
    }, async () => {
      const run = startNpmStart({
        PORT: String(await freePort()),
        LOCKSTEP_TOKEN: 'signals-token',
        ...ANY_FREE_AWS_PORTS,
      });
      let tree: number[] = [];
      try {
        const { javaPid } = await waitForEndpoints(run);
        tree = processTree(run.child.pid!);
        expect(javaPid, run.output()).toBeGreaterThan(0);
        expect(tree, describeProcesses(tree)).toContain(javaPid);

        process.kill(run.child.pid!, signal);

        const left = await waitUntilGone(tree, 30_000);
        expect(left, `still running 30 s after ${signal} to npm:\n${describeProcesses(left)}\n${run.output()}`).toEqual(
          [],
        );
        expect(isAlive(javaPid)).toBe(false);
        await Promise.race([run.drained, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        expect(run.output()).toContain('lockstep: stopped');
      } finally {
        await cleanUp(run, tree);
      }
    });
  }
});
