/**
 * Group commit: effects of many invocations and many ingress requests go to the store in one transaction.
 * Parts are committed strictly in submission order (a later effect set never commits before an earlier
 * one), which is what makes in-process speculation safe: an invocation that read uncommitted state commits
 * in the same or a later transaction than the effects it read.
 */
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import type { ClusterStore } from '../store/cluster-store.js';
import { timerTokenKey } from './timer-service.js';
import type {
  CommitBatch,
  CommitResult,
  EgressAppend,
  FunctionSpecRecord,
  IngressResult,
  IngressWrite,
  StateWrite,
  Store,
  StoredMessage,
  StoredTimer,
  TimerCancellation,
} from '../store/store.js';

/** The durable effects of one invocation (or of a timer firing). */
export interface EffectSet {
  readonly consumedMessages: readonly number[];
  readonly firedTimers: readonly number[];
  readonly messages: readonly StoredMessage[];
  /** New delayed messages and cancellations, in reply order. */
  readonly timerOps: readonly TimerOp[];
  readonly stateWrites: readonly StateWrite[];
  readonly egress: readonly EgressAppend[];
  /** Key groups this effect set consumed from; in cluster mode the commit is fenced by their leases. */
  readonly fenceKeyGroups: readonly number[];
}

/** A new delayed message or the cancellation of one. */
export type TimerOp = { readonly add: StoredTimer } | { readonly cancel: TimerCancellation };

/** Observes commits (metrics). */
export interface CommitObserver {
  onCommit(info: { durationMs: number; effectSets: number; ingress: number; rows: number }): void;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

class PendingBatch {
  specs: FunctionSpecRecord[] = [];
  ingress: IngressWrite[] = [];
  ingressWaiters: { resolve(r: IngressResult): void; reject(err: unknown): void }[] = [];
  messages: (StoredMessage | undefined)[] = [];
  // Seqs of `messages` in this batch → index, so that a message produced and consumed within the same
  // transaction is neither inserted nor deleted.
  messageIndex = new Map<number, number>();
  consumedMessages: number[] = [];
  firedTimers: number[] = [];
  timers: (StoredTimer | undefined)[] = [];
  cancellations: TimerCancellation[] = [];
  // Timers with a token added in this batch, so that a cancellation of one drops both (the store applies
  // cancellations before inserts, which is only right for timers committed by earlier batches).
  timerByToken = new Map<string, number>();
  stateWrites: StateWrite[] = [];
  egress: EgressAppend[] = [];
  waiters: Waiter[] = [];
  effectSets = 0;
  fenceKeyGroups = new Set<number>();

  get isEmpty(): boolean {
    return this.waiters.length === 0 && this.ingress.length === 0 && this.specs.length === 0;
  }

  toCommitBatch(): CommitBatch {
    return {
      specs: this.specs,
      ingress: this.ingress,
      messages: this.messages.filter((m): m is StoredMessage => m !== undefined),
      consumedMessages: this.consumedMessages,
      firedTimers: this.firedTimers,
      timers: this.timers.filter((t): t is StoredTimer => t !== undefined),
      cancellations: this.cancellations,
      stateWrites: this.stateWrites,
      egress: this.egress,
      deadLetters: [],
    };
  }

  get rows(): number {
    return (
      this.specs.length +
      this.ingress.length +
      this.messages.length +
      this.consumedMessages.length +
      this.firedTimers.length +
      this.timers.length +
      this.cancellations.length +
      this.stateWrites.length +
      this.egress.length
    );
  }
}

/** Cluster mode: commits are fenced by the leases of the key groups they consume from. */
export interface CommitFencing {
  readonly store: ClusterStore;
  /** The incarnation whose leases fence the commit (changes when the process rejoins after a loss). */
  incarnation(): string;
  /** The epoch of a key group this process owns, or `undefined`. */
  epochOf(keyGroup: number): number | undefined;
  /** Called when a commit was refused because ownership changed; the caller resets its in-memory state. */
  onFenced(err: StoreError): void;
}

/**
 * Batches writes and commits them one transaction at a time. A failed commit rejects every waiter; on a
 * single-process store it is fatal (`onFatal`: the runtime stops and recovery re-runs from the store), in
 * cluster mode the runtime resets and reloads (`fencing.onFenced`).
 */
export class Committer {
  readonly #store: Store;
  readonly #log: Logger;
  readonly #observer: CommitObserver | undefined;
  readonly #onFatal: (err: unknown) => void;
  readonly #fencing: CommitFencing | undefined;
  #pending = new PendingBatch();
  #running: Promise<void> | undefined;
  #scheduled = false;
  #failed: unknown;
  #closed = false;
  // Set by a fenced commit until the runtime has reset its in-memory state (see resume()).
  #fenced: StoreError | undefined;

  constructor(
    store: Store,
    log: Logger,
    onFatal: (err: unknown) => void,
    observer?: CommitObserver,
    fencing?: CommitFencing,
  ) {
    this.#store = store;
    this.#log = log;
    this.#onFatal = onFatal;
    this.#observer = observer;
    this.#fencing = fencing;
  }

  /**
   * Submits an ingress message; resolves once it is durable.
   *
   * @returns whether it was enqueued or is a duplicate of an earlier idempotency key.
   */
  submitIngress(write: IngressWrite): Promise<IngressResult> {
    return new Promise((resolve, reject) => {
      this.#assertOpen();
      this.#pending.ingress.push(write);
      this.#pending.ingressWaiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Submits the effects of one invocation; resolves once they are durable. */
  submitEffects(effects: EffectSet): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#assertOpen();
      const p = this.#pending;
      for (const seq of effects.consumedMessages) {
        const index = p.messageIndex.get(seq);
        if (index === undefined) {
          p.consumedMessages.push(seq);
        } else {
          p.messages[index] = undefined;
          p.messageIndex.delete(seq);
        }
      }
      pushAll(p.firedTimers, effects.firedTimers);
      for (const m of effects.messages) {
        p.messageIndex.set(m.seq, p.messages.length);
        p.messages.push(m);
      }
      for (const op of effects.timerOps) {
        if ('add' in op) {
          if (op.add.token !== undefined)
            p.timerByToken.set(timerTokenKey(op.add.sender, op.add.token), p.timers.length);
          p.timers.push(op.add);
          continue;
        }
        const key = timerTokenKey(op.cancel.sender, op.cancel.token);
        const index = p.timerByToken.get(key);
        if (index === undefined) {
          p.cancellations.push(op.cancel);
        } else {
          p.timers[index] = undefined;
          p.timerByToken.delete(key);
        }
      }
      pushAll(p.stateWrites, effects.stateWrites);
      pushAll(p.egress, effects.egress);
      for (const kg of effects.fenceKeyGroups) p.fenceKeyGroups.add(kg);
      p.effectSets += 1;
      p.waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Submits learned state specs; resolves once durable. */
  submitSpecs(specs: readonly FunctionSpecRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#assertOpen();
      pushAll(this.#pending.specs, specs);
      this.#pending.waiters.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Commits everything submitted so far and stops accepting more. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  /** Resolves when everything submitted so far is committed. */
  async flush(): Promise<void> {
    while (this.#running !== undefined || !this.#pending.isEmpty) {
      if (this.#running === undefined) this.#run();
      await this.#running;
    }
  }

  /**
   * Voids everything submitted but not yet committing (its waiters reject with `reason`: it was built on
   * in-memory state the runtime is dropping) and waits for the commit in progress, if any, to end.
   */
  async abandon(reason: StoreError): Promise<void> {
    const rest = this.#pending;
    this.#pending = new PendingBatch();
    for (const w of rest.waiters) w.reject(reason);
    for (const w of rest.ingressWaiters) w.reject(reason);
    await this.#running?.catch(() => undefined);
  }

  /** Accepts submissions again after a fenced commit, once the runtime has dropped its in-memory state. */
  resume(): void {
    this.#fenced = undefined;
  }

  #assertOpen(): void {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows the commit failure exactly as the store threw it
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#fenced !== undefined) throw this.#fenced;
    if (this.#closed) throw new Error('committer is closed');
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
    if (this.#pending.isEmpty) return;
    const batch = this.#pending;
    this.#pending = new PendingBatch();
    this.#running = this.#commit(batch).finally(() => {
      this.#running = undefined;
      if (!this.#pending.isEmpty && this.#failed === undefined) this.#schedule();
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
        this.#fenced = storeErr;
        this.#rejectAll(batch, err);
        this.#fencing.onFenced(storeErr);
        return;
      }
      this.#failed = err;
      this.#log.error(
        { err, rows: batch.rows },
        'commit failed; the runtime stops and recovers from the store',
      );
      this.#rejectAll(batch, err);
      this.#onFatal(err);
    }
  }

  /** Fails the batch that did not commit and everything submitted after it (built on its speculation). */
  #rejectAll(failed: PendingBatch, err: unknown): void {
    const rest = this.#pending;
    this.#pending = new PendingBatch();
    for (const b of [failed, rest]) {
      for (const w of b.waiters) w.reject(err);
      for (const w of b.ingressWaiters) w.reject(err);
    }
  }
}

function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
