/**
 * The heart of the engine: one mailbox per address, at most one invocation in flight per address, the
 * backlog sent as the next batch, replies validated and applied speculatively in memory, and their effects
 * handed to the committer in order.
 */
import type { Logger } from 'pino';
import {
  type FromFunction,
  ExpireMode as ProtoExpireMode,
  type InvocationResponseProps,
} from '@statehouse/protocol';
import {
  addressKey,
  formatAddress,
  keyGroupOf,
  type FunctionAddress,
  type FunctionType,
} from '../core/address.js';
import { FunctionReplyError, StatehouseError } from '../errors.js';
import { backoffDelay, type BackoffOptions } from '../invoke/retry-policy.js';
import type { FunctionClient, FunctionClientOptions } from '../invoke/function-client.js';
import type { EgressAppend, ExpireMode, StateWrite, StoredMessage, StoredTimer } from '../store/store.js';
import type { Committer, EffectSet, TimerOp } from './committer.js';
import type { IdSource } from './id-allocator.js';
import type { RuntimeMetrics } from './metrics.js';
import { pendingFromStored, type PendingMessage } from './pending-message.js';
import { validateReply } from './reply-validator.js';
import { buildRequest } from './request-builder.js';
import type { DeclaredSpec, SpecRegistry } from './spec-registry.js';
import type { AddressState, StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';

/** Where the function of a type is served and how to call it. */
export interface ResolvedEndpoint {
  readonly url: string;
  /** Unix domain socket of `http+unix` endpoints. */
  readonly socketPath?: string | undefined;
  readonly endpoint: {
    readonly maxNumBatchRequests: number;
    readonly transport: FunctionClientOptions & { readonly callMs: number };
  };
}

/** Resolves function types to endpoints. */
export interface EndpointResolver {
  resolve(type: FunctionType): ResolvedEndpoint | undefined;
}

/** Why an address is stalled. */
export interface StallInfo {
  readonly address: FunctionAddress;
  readonly since: number;
  readonly attempts: number;
  readonly batchSize: number;
  readonly lastError: { readonly code: string; readonly message: string };
}

/** Settings of the dispatcher. */
export interface DispatcherOptions {
  readonly keyGroups: number;
  readonly maxInFlightInvocations: number;
  readonly backoff: BackoffOptions;
}

/** Collaborators of the dispatcher. */
export interface DispatcherDeps {
  readonly log: Logger;
  readonly committer: Committer;
  readonly cache: StateCache;
  readonly specs: SpecRegistry;
  readonly timers: TimerService;
  readonly resolver: EndpointResolver;
  readonly client: FunctionClient;
  readonly metrics: RuntimeMetrics;
  readonly ids: IdSource;
  readonly hasEgress: (id: string) => boolean;
  readonly onEgress?: (records: readonly EgressAppend[]) => void;
  /** Whether this process owns a key group (cluster mode); every key group when absent. */
  readonly owns?: (keyGroup: number) => boolean;
  /**
   * Called for every message about to enter a mailbox; returning false drops it because it was delivered
   * already (cluster mode: inbox reloads race with local delivery).
   */
  readonly onDeliver?: (message: PendingMessage) => boolean;
  /** Called when the consumption of these message seqs is committed. */
  readonly onConsumed?: (seqs: readonly number[]) => void;
}

interface Mailbox {
  readonly address: FunctionAddress;
  readonly key: string;
  readonly keyGroup: number;
  pending: PendingMessage[];
  inFlight: number;
  running: boolean;
  /** Whether its loop counts against `maxInFlightInvocations` (a stalled address gives its slot back). */
  holdsSlot: boolean;
  /** Ends a retry backoff early (hand-over of its key group). */
  wake: (() => void) | undefined;
  stall: StallInfo | undefined;
}

const EXPIRE_MODES: Record<number, ExpireMode> = {
  [ProtoExpireMode.NONE]: 'NONE',
  [ProtoExpireMode.AFTER_WRITE]: 'AFTER_WRITE',
  [ProtoExpireMode.AFTER_INVOKE]: 'AFTER_INVOKE',
};

/** Routes messages to mailboxes and runs invocations. */
export class Dispatcher {
  readonly #deps: DispatcherDeps;
  readonly #options: DispatcherOptions;
  readonly #log: Logger;
  readonly #mailboxes = new Map<string, Mailbox>();
  // Mailboxes waiting for an invocation slot, in arrival order (a Set keeps insertion order: O(1) add,
  // delete and take-first).
  readonly #waiting = new Set<Mailbox>();
  // While paused (recovery), deliveries only fill mailboxes; resume() starts them all.
  #paused = false;
  #abort = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #inFlight = 0;
  #messages = 0;
  #draining = false;
  #resetting = false;
  #generation = 0;
  // Addresses whose effects the store refused: their effects commit alone, and only then reach anyone else,
  // until one commit of theirs is accepted.
  readonly #quarantined = new Map<string, { readonly code: string; readonly message: string }>();

  constructor(deps: DispatcherDeps, options: DispatcherOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#log = deps.log.child({ component: 'dispatcher' });
  }

  /** Stops starting invocations: deliveries only fill mailboxes (used while recovering). */
  pause(): void {
    this.#paused = true;
  }

  /** Starts invocations for every mailbox that has messages. */
  resume(): void {
    this.#paused = false;
    for (const mb of this.#mailboxes.values()) this.#schedule(mb);
  }

  /** Messages waiting or in flight in all mailboxes. */
  get messageCount(): number {
    return this.#messages;
  }

  /** Invocations in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Addresses that are stalled, oldest first. */
  stalled(): StallInfo[] {
    const out: StallInfo[] = [];
    for (const mb of this.#mailboxes.values()) if (mb.stall !== undefined) out.push(mb.stall);
    return out.sort((a, b) => a.since - b.since);
  }

  /** Messages waiting or in flight per function type. */
  backlogByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const mb of this.#mailboxes.values()) {
      out.set(mb.address.type, (out.get(mb.address.type) ?? 0) + mb.pending.length + mb.inFlight);
    }
    return out;
  }

  /** Stalled addresses per function type. */
  stalledByType(): Map<string, number> {
    const out = new Map<string, number>();
    for (const mb of this.#mailboxes.values()) {
      if (mb.stall !== undefined) out.set(mb.address.type, (out.get(mb.address.type) ?? 0) + 1);
    }
    return out;
  }

  /** Adds a committed (or speculatively produced) message to its address's mailbox. */
  deliver(message: PendingMessage): void {
    // While resetting, everything in memory is being dropped: the caller reloads from the store afterwards.
    if (this.#abort.signal.aborted || this.#resetting) return;
    if (this.#deps.onDeliver !== undefined && !this.#deps.onDeliver(message)) return;
    const key = addressKey(message.target);
    let mb = this.#mailboxes.get(key);
    if (mb === undefined) {
      mb = {
        address: message.target,
        key,
        keyGroup: message.keyGroup,
        pending: [],
        inFlight: 0,
        running: false,
        holdsSlot: false,
        wake: undefined,
        stall: undefined,
      };
      this.#mailboxes.set(key, mb);
    }
    mb.pending.push(message);
    this.#messages += 1;
    this.#schedule(mb);
  }

  /**
   * Stops starting batches, lets in-flight invocations finish for up to `graceMs`, then abandons the rest
   * (their messages stay in the store and run again after a restart).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.#draining = true;
    const all = Promise.allSettled([...this.#running]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.#abort.abort();
    this.#deps.client.abortInFlight();
    await Promise.allSettled([...this.#running]);
  }

  /**
   * The store refused effects of `address` (a constraint, or a value it cannot keep): from now on they are
   * committed alone and shared only once committed, so another refusal stalls this address and nothing else.
   */
  quarantine(address: FunctionAddress, err: { readonly code: string; readonly message: string }): void {
    this.#quarantined.set(addressKey(address), { code: err.code, message: err.message });
  }

  #owns(keyGroup: number): boolean {
    return this.#deps.owns === undefined || this.#deps.owns(keyGroup);
  }

  /**
   * Stops working on key groups this process no longer owns (the ownership predicate already says so): drops
   * their waiting messages, which stay in the store. Effects applied before the hand-over are in the
   * committer; the caller flushes it before releasing the leases.
   */
  releaseKeyGroups(keyGroups: ReadonlySet<number>): void {
    for (const mb of this.#mailboxes.values()) {
      if (!keyGroups.has(mb.keyGroup)) continue;
      // Waiting messages stay in the store for the new owner. An invocation in flight finds out at its next
      // step that the key group is gone and drops its reply unapplied (#invoke): nothing to wait for.
      this.#messages -= mb.pending.length;
      mb.pending = [];
      mb.wake?.();
      if (!mb.running) this.#mailboxes.delete(mb.key);
    }
    for (const mb of this.#waiting) if (keyGroups.has(mb.keyGroup)) this.#waiting.delete(mb);
  }

  /**
   * Forgets everything in memory: abandons in-flight invocations and empties every mailbox. Used after a
   * fenced commit; the caller then reloads what it owns from the store.
   */
  async reset(): Promise<void> {
    // No mailbox may start (or restart) while the old loops wind down: a loop started now would run an old
    // batch next to the same messages reloaded from the store, and apply them twice.
    this.#resetting = true;
    try {
      const old = this.#abort;
      this.#abort = new AbortController();
      old.abort();
      this.#waiting.clear();
      this.#deps.client.abortInFlight();
      await Promise.allSettled([...this.#running]);
      this.#mailboxes.clear();
      this.#waiting.clear();
      this.#messages = 0;
    } finally {
      this.#resetting = false;
    }
  }

  /**
   * Fires a due delayed message: one commit turns the timer into an inbox message of its target (which frees
   * its cancellation token at once, durably), and when this process owns the target the message enters its
   * mailbox right away (the consumer's effects commit after this conversion).
   */
  fireTimer(timer: StoredTimer, signal: AbortSignal = this.#abort.signal): void {
    if (signal.aborted || this.#resetting) return; // reset meanwhile: the reload re-arms it from the store
    let seq: number;
    try {
      seq = this.#deps.ids.nextSeq();
    } catch {
      // No id block yet (cluster mode): fire again shortly.
      setTimeout(() => this.fireTimer(timer, signal), 50).unref();
      return;
    }
    const message: StoredMessage = {
      seq,
      keyGroup: keyGroupOf(timer.target, this.#options.keyGroups),
      target: timer.target,
      caller: timer.sender,
      argument: timer.argument,
      enqueuedAt: Date.now(),
    };
    this.#deps.committer
      .submitEffects({
        consumedMessages: [],
        firedTimers: [timer.id],
        messages: [message],
        timerOps: [],
        stateWrites: [],
        egress: [],
        fenceKeyGroups: [timer.keyGroup],
      })
      .catch(() => undefined); // the committer reports failures (fatal, or a reset in cluster mode)
    if (this.#owns(message.keyGroup)) this.deliver(pendingFromStored(message));
  }

  #schedule(mb: Mailbox): void {
    if (mb.running || mb.pending.length === 0 || this.#draining || this.#paused || this.#resetting) return;
    if (this.#inFlight >= this.#options.maxInFlightInvocations) {
      this.#waiting.add(mb);
      return;
    }
    mb.running = true;
    mb.holdsSlot = true;
    this.#inFlight += 1;
    const signal = this.#abort.signal;
    const loop: Promise<void> = this.#drain(mb)
      .catch(async (err: unknown) => {
        // Nothing inside a mailbox loop may stop the runtime: log, wait a little, and let it run again (its
        // batch went back into the mailbox; the messages are in the store either way).
        this.#log.error(
          { err, functionType: mb.address.type, functionId: mb.address.id },
          'mailbox loop failed unexpectedly; retrying in 1 s',
        );
        await sleep(1_000, signal);
      })
      .finally(() => {
        this.#running.delete(loop);
        mb.running = false;
        this.#releaseSlot(mb);
        // Reset or closed meanwhile: this mailbox is gone (its messages are in the store).
        if (signal.aborted) return;
        if (mb.pending.length === 0 && mb.inFlight === 0) this.#mailboxes.delete(mb.key);
        else this.#schedule(mb);
      });
    this.#running.add(loop);
  }

  /** Gives an address's invocation slot back and lets a waiting address have it. */
  #releaseSlot(mb: Mailbox): void {
    if (!mb.holdsSlot) return;
    mb.holdsSlot = false;
    this.#inFlight -= 1;
    const next = this.#waiting.values().next();
    if (next.done !== true) {
      this.#waiting.delete(next.value);
      this.#schedule(next.value);
    }
  }

  async #drain(mb: Mailbox): Promise<void> {
    const signal = this.#abort.signal;
    while (mb.pending.length > 0 && !signal.aborted && !this.#draining) {
      if (!this.#owns(mb.keyGroup)) {
        // Handed over: the pending messages stay in the store for the new owner.
        this.#messages -= mb.pending.length;
        mb.pending = [];
        return;
      }
      const resolved = this.#deps.resolver.resolve(mb.address.type);
      const limit = resolved?.endpoint.maxNumBatchRequests ?? Infinity;
      const batch = mb.pending.length <= limit ? mb.pending : mb.pending.slice(0, limit);
      mb.pending = mb.pending.length <= limit ? [] : mb.pending.slice(limit);
      mb.inFlight = batch.length;
      try {
        let ok: boolean;
        try {
          ok = await this.#invoke(mb, batch, resolved);
        } catch (err) {
          mb.pending = batch.concat(mb.pending);
          throw err;
        }
        if (!ok) {
          // Aborted: put the batch back so that nothing is lost from memory either.
          mb.pending = batch.concat(mb.pending);
          return;
        }
        this.#messages -= batch.length;
      } finally {
        mb.inFlight = 0;
      }
    }
  }

  /** Runs one batch to success (or until shutdown). @returns false when aborted. */
  async #invoke(
    mb: Mailbox,
    batch: PendingMessage[],
    resolved: ResolvedEndpoint | undefined,
  ): Promise<boolean> {
    const { cache, client, metrics, specs } = this.#deps;
    const type = mb.address.type;
    const signal = this.#abort.signal;
    // Created on first use: most invocations never log.
    let childLog: Logger | undefined;
    const log = (): Logger =>
      (childLog ??= this.#log.child({
        functionType: type,
        functionId: mb.address.id,
        keyGroup: mb.keyGroup,
      }));
    // Read (and pinned) inside the retry loop: a failed state read (database restarting) is a failed attempt.
    let state: AddressState | undefined;
    let generation: number | undefined;
    try {
      const budgetMs = resolved?.endpoint.transport.callMs ?? 60_000;
      const started = Date.now();
      let attempt = 0;
      metrics.batchSize.observe({ function_type: type }, batch.length);
      for (;;) {
        if (signal.aborted || !this.#owns(mb.keyGroup)) return false;
        attempt += 1;
        try {
          if (resolved === undefined) {
            throw new StatehouseError(
              'ERR_ENGINE_NO_ENDPOINT',
              `no endpoint in module.yaml serves function type ${type}; add an io.statefun.endpoints.v2/http document for it`,
            );
          }
          state ??= await cache.acquire(mb.address);
          const typeSpecs = specs.specsOf(type);
          const sentSpecs = typeSpecs.size;
          const body = buildRequest(mb.address, typeSpecs, state, batch, Date.now());
          // Once stalled, every attempt gets the whole budget again; before, attempts share it.
          const remaining =
            mb.stall !== undefined ? budgetMs : Math.max(10, budgetMs - (Date.now() - started));
          const t0 = performance.now();
          const { reply } = await client.call(
            this.#urlOf(resolved.url),
            resolved.endpoint.transport,
            body,
            remaining,
            resolved.socketPath,
          );
          metrics.invocationLatency.observe({ function_type: type }, (performance.now() - t0) / 1000);
          // A reset (fenced commit) or a hand-over of the key group may have happened while the reply was on
          // its way: never apply it then (the messages are still in the store and run again).
          if (signal.aborted || !this.#owns(mb.keyGroup)) return false;
          if (reply.incompleteInvocationContext != null) {
            this.#learnSpecs(type, reply, sentSpecs);
            metrics.incompleteContexts.inc({ function_type: type });
            continue;
          }
          const result = reply.invocationResult ?? {};
          // Ids come in blocks in cluster mode: a reply with more messages than a block holds waits for more.
          await this.#deps.ids.ensure?.(
            result.outgoingMessages?.length ?? 0,
            result.delayedInvocations?.length ?? 0,
          );
          if (signal.aborted || !this.#owns(mb.keyGroup)) return false;
          const applied = this.#apply(mb, batch, state, result);
          generation = applied.generation;
          if (applied.committed !== undefined) {
            try {
              await applied.committed;
              this.#quarantined.delete(mb.key);
            } catch (err) {
              // Refused again: what the reply did to the cached state is void; read it from the store next time.
              cache.discard(mb.address);
              state = undefined;
              generation = undefined;
              throw err;
            }
          }
          metrics.invocations.inc({ function_type: type });
          if (mb.stall !== undefined) {
            log().info({ attempts: attempt }, 'address recovered');
            mb.stall = undefined;
          }
          return true;
        } catch (err) {
          // While draining, a failed attempt is not retried: the batch runs again after a restart.
          if (signal.aborted || this.#draining) return false;
          const code = err instanceof StatehouseError ? err.code : 'ERR_ENGINE_UNEXPECTED';
          metrics.invocationFailures.inc({ function_type: type, reason: code });
          const elapsed = Date.now() - started;
          const message = (err as Error).message;
          if (mb.stall === undefined && elapsed >= budgetMs) {
            mb.stall = {
              address: mb.address,
              since: Date.now(),
              attempts: attempt,
              batchSize: batch.length,
              lastError: { code, message },
            };
            log().error(
              { err, attempts: attempt, batchSize: batch.length },
              `address ${formatAddress(mb.address)} is stalled: its batch keeps failing; it is retried until it succeeds`,
            );
          } else if (mb.stall !== undefined) {
            mb.stall = { ...mb.stall, attempts: attempt, lastError: { code, message } };
          } else {
            log().warn({ err, attempt, batchSize: batch.length }, 'invocation attempt failed; retrying');
          }
          const cap =
            mb.stall !== undefined
              ? this.#options.backoff.stalledMaxMs
              : Math.min(this.#options.backoff.maxMs, Math.max(1, budgetMs - elapsed));
          // A stalled address must not keep one of the bounded invocation slots while it waits: otherwise
          // enough stalled addresses would stop every other address.
          if (mb.stall !== undefined) this.#releaseSlot(mb);
          await new Promise<void>((resolve) => {
            mb.wake = resolve;
            void sleep(backoffDelay(attempt, cap, this.#options.backoff), signal).then(resolve);
          });
          mb.wake = undefined;
          if (mb.stall !== undefined && !mb.holdsSlot) {
            // Retry without waiting for a slot: the attempt is short and the overshoot is bounded by the
            // number of stalled addresses retrying at this instant.
            mb.holdsSlot = true;
            this.#inFlight += 1;
          }
        }
      }
    } finally {
      if (state !== undefined) cache.release(mb.address, state, generation);
    }
  }

  readonly #urls = new Map<string, URL>();

  #urlOf(url: string): URL {
    let parsed = this.#urls.get(url);
    if (parsed === undefined) {
      parsed = new URL(url);
      this.#urls.set(url, parsed);
    }
    return parsed;
  }

  /** @param sentSpecs - how many specs the request that got this reply carried (the registry only grows). */
  #learnSpecs(type: FunctionType, reply: FromFunction, sentSpecs: number): void {
    const declared: DeclaredSpec[] = (reply.incompleteInvocationContext?.missingValues ?? []).map((s) => ({
      stateName: s.stateName ?? '',
      typename: s.typeTypename ?? '',
      expireMode: EXPIRE_MODES[s.expirationSpec?.mode ?? 0] ?? 'NONE',
      expireAfterMs: Number(s.expirationSpec?.expireAfterMillis ?? 0),
    }));
    const added = this.#deps.specs.register(type, declared);
    // Nothing new, yet another invocation of this type may have learned the specs since our request was
    // built: then retrying carries them. Only a request that already had them all means a loop.
    if (added.length === 0 && this.#deps.specs.specsOf(type).size > sentSpecs) return;
    if (added.length === 0) {
      throw new FunctionReplyError(
        'ERR_REPLY_INCOMPLETE_CONTEXT_LOOP',
        `the function reported missing states (${declared.map((d) => d.stateName).join(', ')}) that were sent; check that the service serves ${type}`,
      );
    }
    this.#log.info({ functionType: type, states: added.map((a) => a.stateName) }, 'learned state specs');
    // Durable so that a restart does not start with incomplete-context round trips; a failure is fatal in
    // the committer, which stops the runtime.
    this.#deps.committer.submitSpecs(added).catch(() => undefined);
  }

  /**
   * Applies a validated reply in memory and submits its effects.
   *
   * @returns the commit generation, and for a quarantined address the commit to wait for (its messages, timers
   *   and cancellations take effect in memory only once it is committed).
   */
  #apply(
    mb: Mailbox,
    batch: readonly PendingMessage[],
    state: AddressState,
    reply: InvocationResponseProps,
  ): { generation: number; committed: Promise<void> | undefined } {
    const { committer, timers, ids, specs, metrics } = this.#deps;
    const self = mb.address;
    const typeSpecs = specs.specsOf(self.type);
    const valid = validateReply(reply, {
      self,
      specs: typeSpecs,
      isBound: (t) => this.#deps.resolver.resolve(t) !== undefined,
      hasEgress: this.#deps.hasEgress,
      hasPendingToken: (token) => timers.hasToken(self, token),
    });
    const now = Date.now();
    const keyGroups = this.#options.keyGroups;

    const messages: StoredMessage[] = valid.messages.map((m) => ({
      seq: ids.nextSeq(),
      keyGroup: keyGroupOf(m.target, keyGroups),
      target: m.target,
      caller: self,
      argument: m.argument,
      enqueuedAt: now,
    }));

    const newTimers: StoredTimer[] = [];
    const timerOps: TimerOp[] = [];
    for (const d of valid.delayed) {
      if (d.kind === 'cancel') {
        timerOps.push({ cancel: { sender: self, token: d.token } });
        continue;
      }
      const timer: StoredTimer = {
        id: ids.nextTimerId(),
        // Timers live in the sender's key group: its owner arms them and cancels them by token.
        keyGroup: mb.keyGroup,
        fireAt: now + d.delayMs,
        sender: self,
        token: d.token,
        target: d.target,
        argument: d.argument,
      };
      newTimers.push(timer);
      timerOps.push({ add: timer });
    }

    const egress: EgressAppend[] = valid.egress.map((e) => ({
      egressId: e.egressId,
      offset: ids.nextEgressOffset(e.egressId),
      producer: self,
      value: e.value,
      createdAt: now,
    }));

    // Every id is taken above (taking one can fail in cluster mode); from here on nothing throws, so a reply is
    // applied in memory wholly or not at all.
    const isolated = this.#quarantined.has(mb.key);
    const applyTimerOps = (): void => {
      for (const op of timerOps) {
        if ('add' in op) timers.reserveToken(op.add);
        else timers.cancel(op.cancel);
      }
    };
    if (!isolated) applyTimerOps();

    const stateWrites: StateWrite[] = [];
    const mutated = new Set<string>();
    for (const m of valid.mutations) {
      const name = m.spec.stateName;
      mutated.add(name);
      if (m.value === undefined) {
        state.delete(name);
        stateWrites.push({
          keyGroup: mb.keyGroup,
          address: self,
          name,
          value: undefined,
          expiresAt: undefined,
        });
      } else {
        const expiresAt = m.spec.expireMode === 'NONE' ? undefined : now + m.spec.expireAfterMs;
        state.set(name, { name, typename: m.value.typename, value: m.value.value, expiresAt });
        stateWrites.push({ keyGroup: mb.keyGroup, address: self, name, value: m.value, expiresAt });
      }
    }
    // Expire-after-call: every invocation reads every state, so each one pushes the deadline out.
    for (const spec of typeSpecs.values()) {
      if (spec.expireMode !== 'AFTER_INVOKE' || mutated.has(spec.stateName)) continue;
      const current = state.get(spec.stateName);
      if (current === undefined) continue;
      const expiresAt = now + spec.expireAfterMs;
      state.set(spec.stateName, { ...current, expiresAt });
      stateWrites.push({
        keyGroup: mb.keyGroup,
        address: self,
        name: spec.stateName,
        value: current,
        expiresAt,
      });
    }

    const consumedMessages = batch.map((m) => m.source.seq);
    const effects: EffectSet = {
      address: self,
      consumedMessages,
      firedTimers: [],
      fenceKeyGroups: [mb.keyGroup],
      messages,
      timerOps,
      stateWrites,
      egress,
    };
    const generation = ++this.#generation;
    const deliverLocally = (): void => {
      for (const m of messages) {
        if (!this.#owns(m.keyGroup)) continue; // committed into its inbox; the owner is woken by the store
        this.deliver(pendingFromStored(m));
      }
    };
    const committed = committer.submitEffects(effects, { isolated }).then(() => {
      this.#deps.cache.markCommitted(generation);
      if (consumedMessages.length > 0) this.#deps.onConsumed?.(consumedMessages);
      if (isolated) {
        applyTimerOps();
        deliverLocally();
      }
      if (newTimers.length > 0) timers.arm(newTimers);
      if (egress.length > 0) {
        for (const e of egress) metrics.egressRecords.inc({ egress: e.egressId });
        this.#deps.onEgress?.(egress);
      }
    });
    if (messages.length + newTimers.length > 0) {
      metrics.outgoingMessages.inc({ function_type: self.type }, messages.length + newTimers.length);
    }
    if (isolated) return { generation, committed };
    // The committer reports failures (fatal, refused, or a reset in cluster mode).
    committed.catch(() => undefined);
    // Local delivery before the commit is safe: the consumer's effects commit after these inserts.
    deliverLocally();
    return { generation, committed: undefined };
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
