/** Waiting for something that a broker which stopped answering could hold up indefinitely. */

/**
 * How long stopping waits for a consumer to leave its group or a producer to disconnect, ms. A broker that hangs
 * would keep a stop waiting for kafkajs's request timeouts.
 */
export const STOP_WAIT_MS = 5_000;

/**
 * Waits for `work`, but at most `ms`: a hung broker must not hold up a shutdown (what was not finished is not lost:
 * positions and unshipped records are in the store). A rejection of `work` is ignored.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([work.catch(() => undefined), gaveUp]);
  clearTimeout(timer);
}
