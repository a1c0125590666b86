/**
 * Runs asynchronous work one piece at a time, in the order it was queued: a piece starts once the one before it
 * settled, whether it resolved or rejected.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();

  /**
   * Queues `work`.
   *
   * @returns what `work` resolves to, or its rejection (which does not stop the pieces after it).
   */
  run(work: () => Promise<void>): Promise<void> {
    const next = this.#tail.then(work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
