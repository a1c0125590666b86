/**
 * What the demo started, to stop last started first. A child process's pid is also killed if this process exits
 * before `stopAll` ran (an uncaught error, a second Ctrl-C), so no broker or runtime outlives the demo. The demos
 * of examples/ use it.
 */
export class Started {
  readonly #parts: { readonly name: string; readonly stop: () => Promise<unknown> }[] = [];
  readonly #pids = new Map<string, () => number | undefined>();
  readonly #killLeftovers = (): void => {
    for (const pidOf of this.#pids.values()) {
      const pid = pidOf();
      try {
        if (pid !== undefined) process.kill(pid, 'SIGKILL');
      } catch {
        // It had exited already.
      }
    }
  };

  constructor() {
    process.on('exit', this.#killLeftovers);
  }

  /**
   * Registers something just started.
   *
   * @param name - how the summary names it.
   * @param stop - stops it; called once, by `stopAll`.
   * @param pid - its child process's pid, once known, for the exit hook.
   */
  add(name: string, stop: () => Promise<unknown>, pid?: () => number | undefined): void {
    this.#parts.push({ name, stop });
    if (pid !== undefined) this.#pids.set(name, pid);
  }

  /**
   * Stops everything, last started first; a part that fails to stop does not keep the others running.
   *
   * @returns the names of what was stopped, and of what failed to stop with the error.
   */
  async stopAll(): Promise<string[]> {
    const stopped: string[] = [];
    for (const { name, stop } of this.#parts.splice(0).reverse()) {
      try {
        await stop();
        stopped.push(name);
      } catch (error) {
        stopped.push(`${name} (failed: ${error instanceof Error ? error.message : String(error)})`);
      }
      this.#pids.delete(name);
    }
    process.off('exit', this.#killLeftovers);
    return stopped;
  }
}
