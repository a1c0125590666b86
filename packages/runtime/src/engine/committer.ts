/**
 * Group commit: effects of many invocations and many ingress requests go to the store in one transaction.
 * Parts are committed strictly in submission order (a later effect set never commits before an earlier
 * one), which is what makes in-process speculation safe: an invocation that read uncommitted state commits
 * in the same or a later transaction than the effects it read.
 *
 * Nothing one invocation returns can fail the commit of others: when the store refuses a group (a constraint
 * or a value it cannot keep), its parts are committed one by one, the first one refused is rejected alone
 * (`onRefused`: its address stalls), and everything submitted after it, which may have been built on its
 * speculative effects, is voided (`onVoided`: the runtime reloads from the store and runs it again).
 */
import type { Logger } from 'pino';
import type { FunctionAddress } from '../core/address.js';
import { StoreError, StatehouseError } from '../errors.js';
import type { ClusterStore } from '../store/cluster-store.js';
import type { EffectSet } from './effect-set.js';
import { PendingBatch, type Part, type Waiter } from './pending-batch.js';
import type { CommitResult, FunctionSpecRecord, IngressResult, IngressWrite, Store } from '../store/store.js';

/** Observes commits (metrics). */
export interface CommitObserver {
  onCommit(info: { durationMs: number; effectSets: number; ingress: number; rows: number }): void;
}

/** Cluster mode: commits are fenced by the leases of the key groups they consume from. */
export interface CommitFencing {
  readonly store: ClusterStore;
  /** The incarnation whose leases fence the commit (changes when the process rejoins after a loss). */
  incarnation(): string;
  /** The epoch of a key group this process owns, or `undefined`. */
  epochOf(keyGroup: number): number | undefined;
}

/** What the runtime does when commits fail. */
export interface CommitterHooks {
  /**
   * A commit failed in a way the process cannot recover from in place (single-process store): the runtime
   * stops, and recovery re-runs from the store.
   */
  onFatal(err: unknown): void;
  /**
   * What was submitted is void (a fenced or failed cluster commit, or work built on refused effects): the
   * runtime drops its in-memory state, reloads from the store, and then calls {@link Committer.resume}.
   */
  onVoided(err: StoreError): void;
  /** The store refused one effect set (constraint or invalid data); its address must stall, visibly. */
  onRefused(address: FunctionAddress | undefined, err: StoreError): void;
  /**
   * The store's disk is full (`ERR_STORE_FULL`): what was submitted is void, and submissions are refused with
   * that error until the runtime has reloaded and calls {@link Committer.resume} (once writes work again).
   */
  onStoreFull(err: StoreError): void;
}

/** Collaborators of the committer. */
export interface CommitterDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly hooks: CommitterHooks;
  readonly observer?: CommitObserver | undefined;
}

/** Whether the store refused a commit for what it carried (as opposed to failing to commit at all). */
export function isRefusal(err: unknown): err is StoreError {
  return (
    err instanceof StoreError &&
    (err.code === 'ERR_STORE_CONSTRAINT' || err.code === 'ERR_STORE_INVALID_DATA')
  );
}

/** Whether the store failed for lack of space (`ERR_STORE_FULL`): nothing was applied, nothing is corrupt. */
export function isStoreFull(err: unknown): err is StoreError {
  return err instanceof StoreError && err.code === 'ERR_STORE_FULL';
}

/**
 * Batches writes and commits them one transaction at a time. A failed commit rejects every waiter of its
 * batch and of everything submitted after it; see {@link CommitterHooks} for what the runtime does then.
 */
export class Committer {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #observer: CommitObserver | undefined;
  readonly #hooks: CommitterHooks;
  readonly #fencing: CommitFencing | undefined;
  // Closed batches waiting for their turn (an isolated effect set closes the batch before it), then the open one.
  #queue: PendingBatch[] = [];
  #pending = new PendingBatch();
  #running: Promise<void> | undefined;
  #scheduled = false;
  #failed: unknown;
  #closed = false;
  // Set when submitted work was voided, until the runtime has reset its in-memory state (see resume()).
  #voided: StoreError | undefined;

  /** @param options.fencing - cluster mode: how commits are fenced; absent for a single process. */
  constructor(deps: CommitterDeps, options: { readonly fencing?: CommitFencing | undefined } = {}) {
    this.#store = deps.store;
    this.#log = deps.log;
    this.#hooks = deps.hooks;
    this.#observer = deps.observer;
    this.#fencing = options.fencing;
  }

  /**
   * Submits an ingress message; resolves once it is durable.
   *
   * @returns whether it was enqueued or is a duplicate of an earlier idempotency key.
   */
  submitIngress(write: IngressWrite): Promise<IngressResult> {
    return new Promise((resolve, reject) => {
      this.#assertOpen();
      this.#pending.add({ kind: 'ingress', write, waiter: { resolve, reject } });
      this.#schedule();
    });
  }

  /**
   * Submits the effects of one invocation; resolves once they are durable.
   *
   * @param options.isolated - commit them in a transaction of their own: for effects nothing else was built on
   *   (their messages are delivered only after the commit), so that a refusal voids nothing else.
   */
  submitEffects(effects: EffectSet, options: { isolated?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => this.submitEffectsTo(effects, { resolve, reject }, options));
  }

  /**
   * {@link Committer.submitEffects} without a promise: `waiter` is called once the effects are durable, or
   * with the failure (also when nothing can be submitted now). Every invocation submits its effects, so the
   * reply applier hands its callbacks over directly instead of chaining on a promise.
   */
  submitEffectsTo(effects: EffectSet, waiter: Waiter, options: { isolated?: boolean } = {}): void {
    try {
      this.#assertOpen();
    } catch (err) {
      waiter.reject(err);
      return;
    }
    const part: Part = { kind: 'effects', effects, waiter };
    if (options.isolated === true) {
      if (!this.#pending.isEmpty) this.#queue.push(this.#pending);
      const alone = new PendingBatch();
      alone.isolated = true;
      alone.add(part);
      this.#queue.push(alone);
      this.#pending = new PendingBatch();
    } else {
      this.#pending.add(part);
    }
    this.#schedule();
  }

  /** Submits learned state specs; resolves once durable. */
  submitSpecs(specs: readonly FunctionSpecRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#assertOpen();
      this.#pending.add({ kind: 'specs', specs, waiter: { resolve, reject } });
      this.#schedule();
    });
  }

  /** Commits everything submitted so far and stops accepting more. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  /** Resolves when everything submitted so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.#running !== undefined || this.#hasWork()) {
      if (this.#running === undefined) this.#run();
      await this.#running;
    }
  }

  /**
   * Voids everything submitted but not yet committing (its waiters reject with `reason`: it was built on
   * in-memory state the runtime is dropping) and waits for the commit in progress, if any, to end.
   */
  async abandon(reason: StoreError): Promise<void> {
    this.#voidQueued(reason);
    await this.#running?.catch(() => undefined);
  }

  /** Accepts submissions again after work was voided, once the runtime has dropped its in-memory state. */
  resume(): void {
    this.#voided = undefined;
  }

  #hasWork(): boolean {
    return this.#queue.length > 0 || !this.#pending.isEmpty;
  }

  #assertOpen(): void {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows the commit failure exactly as the store threw it
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#voided !== undefined) throw this.#voided;
    if (this.#closed) {
      throw new StatehouseError(
        'ERR_RUNTIME_INVALID_STATE',
        'nothing is committed any more: the runtime is closing',
      );
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running !== undefined) return;
    this.#scheduled = true;
    // setImmediate lets every reply that arrived in this turn of the event loop join the same transaction.
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#running === undefined) this.#run();
    });
  }

  #run(): void {
    let batch = this.#queue.shift();
    if (batch === undefined) {
      if (this.#pending.isEmpty) return;
      batch = this.#pending;
      this.#pending = new PendingBatch();
    }
    this.#running = this.#commit(batch).finally(() => {
      this.#running = undefined;
      if (this.#hasWork() && this.#failed === undefined) this.#schedule();
    });
  }

  async #apply(batch: PendingBatch): Promise<CommitResult> {
    const fencing = this.#fencing;
    if (fencing === undefined) return this.#store.commit(batch.toCommitBatch());
    const leases = new Map<number, number>();
    for (const kg of batch.fenceKeyGroups) {
      const epoch = fencing.epochOf(kg);
      if (epoch === undefined) {
        throw new StoreError('ERR_STORE_FENCED', `key group ${kg} is no longer owned by this process`);
      }
      leases.set(kg, epoch);
    }
    return fencing.store.commitFenced(batch.toCommitBatch(), { incarnation: fencing.incarnation(), leases });
  }

  async #commit(batch: PendingBatch): Promise<void> {
    const started = performance.now();
    try {
      const result = await this.#apply(batch);
      this.#observer?.onCommit({
        durationMs: performance.now() - started,
        effectSets: batch.effectSets,
        ingress: batch.ingress.length,
        rows: batch.rows,
      });
      for (const w of batch.waiters) w.resolve();
      batch.ingressWaiters.forEach((w, i) => w.resolve(result.ingress[i]!));
    } catch (err) {
      if (isRefusal(err)) {
        await this.#commitPartByPart(batch, err);
        return;
      }
      this.#fail(batch, err);
    }
  }

  /**
   * The store refused the group: commit its parts one at a time, in order, to find the one it refuses. That one
   * is rejected alone; everything after it is void (it may rest on the refused part's speculative effects).
   */
  async #commitPartByPart(batch: PendingBatch, refusal: StoreError): Promise<void> {
    const parts = batch.parts;
    for (const [i, part] of parts.entries()) {
      const single = new PendingBatch();
      single.add(part);
      let result: CommitResult;
      try {
        result = await this.#apply(single);
      } catch (err) {
        if (!isRefusal(err)) {
          // Not this part's doing (connection, fencing): what is left fails as a whole.
          const rest = new PendingBatch();
          for (const p of parts.slice(i)) rest.add(p);
          this.#fail(rest, err);
          return;
        }
        const address = part.kind === 'effects' ? part.effects.address : undefined;
        this.#log.error(
          { err, functionType: address?.type, functionId: address?.id, part: part.kind },
          'the store refused the effects of one invocation; only its address stalls',
        );
        part.waiter.reject(err);
        this.#hooks.onRefused(address, err);
        // An isolated part shared nothing with anyone. Otherwise its speculative effects are in memory (state,
        // messages in other mailboxes, reserved tokens) and maybe in later parts: reload from the store.
        if (batch.isolated) return;
        const later = parts.slice(i + 1);
        const voided = new StoreError(
          'ERR_STORE_COMMIT_FAILED',
          'not committed: it was built on effects the store refused; it runs again after a reload',
          { cause: err, retryable: true },
        );
        const rest = new PendingBatch();
        for (const p of later) rest.add(p);
        rest.rejectAll(voided);
        this.#voidQueued(voided);
        this.#voided = voided;
        this.#hooks.onVoided(voided);
        return;
      }
      if (part.kind === 'ingress') part.waiter.resolve(result.ingress[0]!);
      else part.waiter.resolve();
    }
    // Every part commits on its own: the group was refused only as a whole (nothing is lost).
    this.#log.warn({ err: refusal, parts: parts.length }, 'a refused group committed part by part');
  }

  #fail(batch: PendingBatch, err: unknown): void {
    if (isStoreFull(err)) {
      // Not a failure that can corrupt anything: nothing was applied. Pause until space is freed.
      this.#log.error({ err: err.message, rows: batch.rows }, 'commit failed: the disk is full; pausing');
      this.#voided = err;
      batch.rejectAll(err);
      this.#voidQueued(err);
      this.#hooks.onStoreFull(err);
      return;
    }
    if (this.#fencing !== undefined) {
      // Cluster mode: ownership moved (fenced), or the connection broke mid-commit (the outcome is in the
      // store either way). This batch and everything submitted after it (built on its speculative state)
      // is void; the runtime drops its in-memory state, reloads what it still owns and reruns it.
      const fenced = err instanceof StoreError && err.code === 'ERR_STORE_FENCED';
      this.#log.warn(
        { err: fenced ? (err as Error).message : err, rows: batch.rows },
        fenced
          ? 'commit fenced: key group ownership changed'
          : 'commit failed; reloading owned key groups from the store',
      );
      const storeErr =
        err instanceof StoreError
          ? err
          : new StoreError('ERR_STORE_COMMIT_FAILED', String((err as Error)?.message ?? err), {
              cause: err,
              retryable: true,
            });
      this.#voided = storeErr;
      batch.rejectAll(err);
      this.#voidQueued(err);
      this.#hooks.onVoided(storeErr);
      return;
    }
    this.#failed = err;
    this.#log.error(
      { err, rows: batch.rows },
      'commit failed; the runtime stops and recovers from the store',
    );
    batch.rejectAll(err);
    this.#voidQueued(err);
    this.#hooks.onFatal(err);
  }

  /** Fails everything submitted that has not started committing (built on speculation that is now void). */
  #voidQueued(err: unknown): void {
    const queued = [...this.#queue, this.#pending];
    this.#queue = [];
    this.#pending = new PendingBatch();
    for (const b of queued) b.rejectAll(err);
  }
}
