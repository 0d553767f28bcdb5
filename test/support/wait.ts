/**
 * Polls until `check` returns a value. For what happens outside the test's control (another
 * process, a deployment); the bound only keeps a broken build from hanging the suite.
 */
export async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  boundMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what} after ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
