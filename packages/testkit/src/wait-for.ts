/**
 * Polls `check` until it returns a value other than `undefined`/`false`, or fails after `timeoutMs`.
 *
 * @returns the first truthy value.
 * @throws an Error naming `what` on timeout, with the last error thrown by `check`.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- lastError is whatever `check` threw (usually an Error); String() renders any value
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
