/**
 * Applies a function's reply: validates it (`reply-validator.ts`), builds its effects (`effect-builder.ts`),
 * applies them speculatively to the cached state and the timer tokens, delivers the messages it sends to local
 * mailboxes, and submits the effects to the committer. What leaves the process (timers armed, egress
 * announced, consumption acknowledged) waits for the commit.
 *
 * Addresses whose effects the store refused are *quarantined*: their effects commit alone, and only then
 * reach anyone else, until one commit of theirs is accepted.
 */
import type { InvocationResponseProps } from '@statehouse/protocol';
import type { Clock } from '../core/clock.js';
import { addressKey, type FunctionAddress, type FunctionType } from '../core/address.js';
import type { EgressAppend, StoredMessage, StoredTimer, StoredValue } from '../store/store.js';
import type { Committer } from './committer.js';
import type { EffectSet } from './effect-set.js';
import { applyStateWrites, buildEffects } from './effect-builder.js';
import type { IdSource } from './id-allocator.js';
import type { RuntimeMetrics } from './metrics.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { validateReply } from './reply-validator.js';
import type { SpecRegistry } from './spec-registry.js';
import type { AddressState, StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';
import { SPAN_NAMES, type TraceSpan } from '../tracing/tracing.js';

/** Collaborators of the reply applier. */
export interface ReplyApplierDeps {
  readonly clock: Clock;
  readonly committer: Committer;
  readonly cache: StateCache;
  readonly specs: SpecRegistry;
  readonly timers: TimerService;
  readonly metrics: RuntimeMetrics;
  readonly ids: IdSource;
  /** Whether an endpoint serves this function type. */
  readonly isBound: (type: FunctionType) => boolean;
  readonly hasEgress: (id: string) => boolean;
  /** Why a record cannot go to an egress (see `ReplyContext.egressRecordProblem`). */
  readonly egressRecordProblem?: ((id: string, value: StoredValue) => string | undefined) | undefined;
  /** Whether this process owns a key group (its messages go to a local mailbox). */
  readonly owns: (keyGroup: number) => boolean;
  /** Puts a message into its local mailbox. */
  readonly deliver: (message: PendingMessage) => void;
  readonly onEgress?: ((records: readonly EgressAppend[]) => void) | undefined;
  /** Called when the consumption of these message seqs is committed. */
  readonly onConsumed?: ((seqs: readonly number[]) => void) | undefined;
}

/** The invocation a reply answers. */
export interface ReplyTarget {
  readonly address: FunctionAddress;
  readonly keyGroup: number;
  /** The batch the reply answers. */
  readonly batch: readonly PendingMessage[];
  /** The address's cached state, which the reply's writes change. */
  readonly state: AddressState;
  /**
   * The invocation's span (tracing on): its `traceparent` goes with the messages, timers and egress records the
   * reply produces, and a `statehouse.commit` child spans their commit.
   */
  readonly span?: TraceSpan | undefined;
}

/** The outcome of applying a reply. */
export interface AppliedReply {
  /** Commit generation of its effects (the cache keeps the state until it is committed). */
  readonly generation: number;
  /** For a quarantined address, the commit to wait for; `undefined` otherwise (failures are reported by the committer). */
  readonly committed: Promise<void> | undefined;
}

/** Applies validated replies and submits their effects. */
export class ReplyApplier {
  readonly #deps: ReplyApplierDeps;
  readonly #keyGroups: number;
  readonly #quarantined = new Map<string, { readonly code: string; readonly message: string }>();
  #generation = 0;

  /** @param options.keyGroups - number of key groups of the deployment. */
  constructor(deps: ReplyApplierDeps, options: { readonly keyGroups: number }) {
    this.#deps = deps;
    this.#keyGroups = options.keyGroups;
  }

  /**
   * The store refused effects of `address` (a constraint, or a value it cannot keep): from now on they are
   * committed alone and shared only once committed, so another refusal stalls this address and nothing else.
   */
  quarantine(address: FunctionAddress, err: { readonly code: string; readonly message: string }): void {
    this.#quarantined.set(addressKey(address), { code: err.code, message: err.message });
  }

  /**
   * Applies a reply in memory and submits its effects.
   *
   * @throws {@link FunctionReplyError} when the reply is invalid (nothing is applied), or when ids run out
   *   (cluster mode; nothing is applied either).
   */
  apply(target: ReplyTarget, reply: InvocationResponseProps): AppliedReply {
    const { address: self, state } = target;
    const typeSpecs = this.#deps.specs.specsOf(self.type);
    const valid = validateReply(reply, {
      self,
      specs: typeSpecs,
      isBound: this.#deps.isBound,
      hasEgress: this.#deps.hasEgress,
      ...(this.#deps.egressRecordProblem === undefined
        ? {}
        : { egressRecordProblem: this.#deps.egressRecordProblem }),
      hasPendingToken: (token) => this.#deps.timers.hasToken(self, token),
    });
    const { effects, newTimers } = buildEffects(valid, {
      self,
      keyGroup: target.keyGroup,
      keyGroups: this.#keyGroups,
      specs: typeSpecs,
      state,
      consumed: target.batch.map((m) => m.source.seq),
      now: this.#deps.clock.now(),
      ids: this.#deps.ids,
      traceparent: target.span?.traceparent,
    });
    // Every id is taken (taking one can fail in cluster mode); from here on nothing throws, so a reply is
    // applied in memory wholly or not at all.
    // Usually nothing is quarantined: then no key is built (this runs for every invocation).
    const key = this.#quarantined.size === 0 ? undefined : addressKey(self);
    const isolated = key !== undefined && this.#quarantined.has(key);
    if (!isolated) this.#applyTimerOps(effects);
    applyStateWrites(state, effects.stateWrites);
    const generation = ++this.#generation;
    const commitSpan = target.span?.child(SPAN_NAMES.commit);
    const committed = isolated
      ? this.#submitIsolated(key, effects, newTimers, generation, commitSpan)
      : this.#submit(effects, newTimers, generation, commitSpan);
    const sent = effects.messages.length + newTimers.length;
    if (sent > 0) this.#deps.metrics.outgoingMessages.inc(self.type, sent);
    if (isolated) return { generation, committed };
    // Local delivery before the commit is safe: the consumer's effects commit after these inserts.
    this.#deliverLocally(effects.messages);
    return { generation, committed: undefined };
  }

  /**
   * Submits the effects of an address that is not quarantined. The committer calls back directly (no promise
   * chain: every invocation passes here) and reports failures itself (fatal, refused, or a reset in cluster
   * mode), so a failure needs nothing here.
   */
  #submit(
    effects: EffectSet,
    newTimers: readonly StoredTimer[],
    generation: number,
    commitSpan: TraceSpan | undefined,
  ): undefined {
    this.#deps.committer.submitEffectsTo(effects, {
      resolve: () => {
        commitSpan?.end();
        try {
          this.#deps.cache.markCommitted(generation);
          this.#afterCommit(effects, newTimers);
        } catch {
          // Ignored, as when this ran on the commit's promise: it must not fail the commit of the others.
        }
      },
      reject: (err: unknown) => commitSpan?.fail(err),
    });
    return undefined;
  }

  /** Submits a quarantined address's effects alone; they reach anyone else only once committed. */
  #submitIsolated(
    key: string,
    effects: EffectSet,
    newTimers: readonly StoredTimer[],
    generation: number,
    commitSpan: TraceSpan | undefined,
  ): Promise<void> {
    const committed = this.#deps.committer.submitEffects(effects, { isolated: true });
    if (commitSpan !== undefined)
      void committed.then(
        () => commitSpan.end(),
        (err: unknown) => commitSpan.fail(err),
      );
    return committed.then(() => {
      this.#deps.cache.markCommitted(generation);
      this.#quarantined.delete(key);
      this.#applyTimerOps(effects);
      this.#deliverLocally(effects.messages);
      this.#afterCommit(effects, newTimers);
    });
  }

  #applyTimerOps(effects: EffectSet): void {
    for (const op of effects.timerOps) {
      if ('add' in op) this.#deps.timers.reserveToken(op.add);
      else this.#deps.timers.cancel(op.cancel);
    }
  }

  #deliverLocally(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      if (!this.#deps.owns(m.keyGroup)) continue; // committed into its inbox; the owner is woken by the store
      this.#deps.deliver(pendingFromStored(m));
    }
  }

  /** What follows a commit: consumption acknowledged, timers armed, egress announced. */
  #afterCommit(effects: EffectSet, newTimers: readonly StoredTimer[]): void {
    this.#deps.metrics.flow.recordCommitted(effects);
    if (effects.consumedMessages.length > 0) this.#deps.onConsumed?.(effects.consumedMessages);
    if (newTimers.length > 0) this.#deps.timers.arm(newTimers);
    if (effects.egress.length > 0) {
      for (const e of effects.egress) this.#deps.metrics.egressRecords.inc(e.egressId);
      this.#deps.onEgress?.(effects.egress);
    }
  }
}
