/**
 * Runs one batch of an address to success: each attempt builds the request (`request-builder.ts`), calls the
 * function service, learns missing state specs, and hands the reply to the {@link ReplyApplier}. Retries,
 * backoff and stalls follow `invoke/retrying-call.ts`.
 */
import { LogThrottle } from '../core/log-throttle.js';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { FromFunction } from '@statehouse/protocol';
import type { FunctionType } from '../core/address.js';
import { FunctionReplyError, StatehouseError } from '../errors.js';
import type { FunctionClient } from '../invoke/function-client.js';
import type { ResolvedEndpoint } from '../invoke/resolved-endpoint.js';
import type { BackoffOptions } from '../invoke/retry-policy.js';
import {
  callWithRetries,
  type AttemptOutcome,
  type DeadLetterLimits,
  type RetryHooks,
  type RetryResult,
} from '../invoke/retrying-call.js';
import type { Committer } from './committer.js';
import type { IdSource } from './id-allocator.js';
import { missingSpecsOf } from './incomplete-context.js';
import type { Mailbox } from './mailbox.js';
import type { RuntimeMetrics } from './metrics.js';
import type { PendingMessage } from './pending-message.js';
import type { ReplyApplier } from './reply-applier.js';
import { buildRequest } from './request-builder.js';
import type { SpecRegistry } from './spec-registry.js';
import type { AddressState, StateCache } from './state-cache.js';
import type { TraceSpan, Tracing } from '../tracing/tracing.js';

/**
 * The call budget of an address whose function type no endpoint serves (each attempt fails with
 * `ERR_ENGINE_NO_ENDPOINT`): it stalls after this, visibly, like any address that keeps failing.
 */
const UNBOUND_BUDGET_MS = 60_000;
/** Collaborators of the batch invoker. */
export interface BatchInvokerDeps {
  readonly log: Logger;
  readonly clock: Clock;
  readonly committer: Committer;
  readonly cache: StateCache;
  readonly specs: SpecRegistry;
  readonly client: FunctionClient;
  readonly metrics: RuntimeMetrics;
  readonly ids: IdSource;
  readonly applier: ReplyApplier;
  /** Whether this process (still) owns a key group. */
  readonly owns: (keyGroup: number) => boolean;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing?: Tracing | undefined;
  /** The dead-letter limits of a function type's policy; `undefined`: its batches stall, never dropped. */
  readonly deadLetterPolicy?: ((type: FunctionType) => DeadLetterLimits | undefined) | undefined;
}

/** What one batch's run needs from the dispatcher. */
export interface BatchRun {
  readonly mailbox: Mailbox;
  readonly batch: readonly PendingMessage[];
  readonly endpoint: ResolvedEndpoint | undefined;
  /** Aborted by a reset or shutdown: the reply is dropped unapplied. */
  readonly signal: AbortSignal;
  /** Whether a failed attempt should end the run (shutting down). */
  isStopping(): boolean;
}

/** The state an invocation pinned in the cache, released when its batch is done. */
interface StatePin {
  // Read (and pinned) inside the attempts: a failed state read (database restarting) is a failed attempt.
  state: AddressState | undefined;
  generation: number | undefined;
  /** Attempts made so far in this run (with the failing streak's, the attempt span's `attempt` attribute). */
  attempts: number;
}

/** Invokes batches with retries. */
export class BatchInvoker {
  readonly #deps: BatchInvokerDeps;
  readonly #backoff: BackoffOptions;
  readonly #urls = new Map<string, URL>();
  readonly #logThrottle: LogThrottle;

  constructor(deps: BatchInvokerDeps, options: { readonly backoff: BackoffOptions }) {
    this.#deps = deps;
    this.#backoff = options.backoff;
    this.#logThrottle = new LogThrottle({ clock: deps.clock });
  }

  /**
   * Runs one batch to success, until aborted, or until its address stalls (see {@link RetryResult}). (Not
   * `async`: one frame fewer for every batch; the retry loop releases the pinned state when the run ends.)
   */
  invoke(run: BatchRun): Promise<RetryResult> {
    const { mailbox: mb, batch } = run;
    this.#deps.metrics.batchSize.observe(mb.address.type, batch.length);
    const hooks = new RunHooks(this.#deps, this.#logThrottle, run);
    return callWithRetries(
      mb,
      (remainingMs) => this.#attempt(run, hooks, remainingMs),
      {
        budgetMs: run.endpoint?.endpoint.transport.callMs ?? UNBOUND_BUDGET_MS,
        backoff: this.#backoff,
        batchSize: batch.length,
        address: mb.address,
        clock: this.#deps.clock,
        deadLetterAfter: this.#deps.deadLetterPolicy?.(mb.address.type),
      },
      hooks,
    );
  }

  /** One attempt, in its span when tracing is on. */
  #attempt(run: BatchRun, pin: StatePin, remainingMs: number): Promise<AttemptOutcome> {
    pin.attempts += 1;
    const { tracing } = this.#deps;
    if (tracing === undefined) return this.#attemptOnce(run, pin, remainingMs, undefined);
    // Counted over the address's failing streak: after a failure the batch runs again in a new run.
    const attempt = (run.mailbox.failing?.attempts ?? 0) + pin.attempts;
    const span = tracing.startInvocation(run.mailbox.address, run.batch, attempt);
    return this.#attemptOnce(run, pin, remainingMs, span).then(
      (outcome) => {
        span.span.setAttribute('statehouse.invocation.outcome', outcome);
        span.end();
        return outcome;
      },
      (err: unknown) => {
        span.fail(err);
        throw err;
      },
    );
  }

  /** One attempt: request, call, reply, effects. */
  async #attemptOnce(
    run: BatchRun,
    pin: StatePin,
    remainingMs: number,
    span: TraceSpan | undefined,
  ): Promise<AttemptOutcome> {
    const { cache, client, metrics, specs } = this.#deps;
    const { mailbox: mb, batch, endpoint: resolved } = run;
    const type = mb.address.type;
    const isGone = (): boolean => run.signal.aborted || !this.#deps.owns(mb.keyGroup);
    if (isGone()) return 'cancelled';
    if (resolved === undefined) {
      throw new StatehouseError(
        'ERR_ENGINE_NO_ENDPOINT',
        `no endpoint in module.yaml serves function type ${type}; add an io.statefun.endpoints.v2/http document for it`,
      );
    }
    // A cached state (the usual case) is taken without a promise.
    const state = (pin.state ??= cache.tryAcquire(mb.address, mb.key) ?? (await cache.acquire(mb.address)));
    const typeSpecs = specs.specsOf(type);
    const sentSpecs = typeSpecs.size;
    const body = buildRequest(mb.address, typeSpecs, state, batch, this.#deps.clock.now());
    const t0 = performance.now();
    const { transport } = resolved.endpoint;
    const url = this.#urlOf(resolved.url);
    const traceparent = span?.traceparent;
    const { reply } = await client.call(url, transport, body, remainingMs, resolved.socketPath, traceparent);
    metrics.invocationLatency.observe(type, (performance.now() - t0) / 1000);
    // A reset (fenced commit) or a hand-over of the key group may have happened while the reply was on its way:
    // never apply it then (the messages are still in the store and run again).
    if (isGone()) return 'cancelled';
    if (reply.incompleteInvocationContext != null) {
      this.#learnSpecs(type, reply, sentSpecs);
      metrics.incompleteContexts.inc({ function_type: type });
      return 'again';
    }
    const result = reply.invocationResult ?? {};
    // Ids come in blocks in cluster mode: a reply with more messages than a block holds waits for more.
    // Cluster mode reserves ids first; single-process mode has them at hand (no await, no extra turn).
    const ensuring = this.#deps.ids.ensure?.(
      result.outgoingMessages?.length ?? 0,
      result.delayedInvocations?.length ?? 0,
    );
    if (ensuring !== undefined) {
      await ensuring;
      if (isGone()) return 'cancelled';
    }
    const applied = this.#deps.applier.apply(
      { address: mb.address, keyGroup: mb.keyGroup, batch, state, span },
      result,
    );
    pin.generation = applied.generation;
    if (applied.committed !== undefined) {
      try {
        await applied.committed;
      } catch (err) {
        // Refused again: what the reply did to the cached state is void; read it from the store next time.
        cache.discard(mb.address);
        pin.state = undefined;
        pin.generation = undefined;
        throw err;
      }
    }
    metrics.invocations.inc(type);
    return 'done';
  }

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
    const declared = missingSpecsOf(reply);
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
    this.#deps.log.info({ functionType: type, states: added.map((a) => a.stateName) }, 'learned state specs');
    // Durable so that a restart does not start with incomplete-context round trips; a failure is fatal in
    // the committer, which stops the runtime.
    this.#deps.committer.submitSpecs(added).catch(() => undefined);
  }
}

/**
 * The retry loop's hooks for one batch run, and the state its attempts pinned: one object per run, its logger
 * made on first use.
 */
class RunHooks implements RetryHooks, StatePin {
  readonly #deps: BatchInvokerDeps;
  readonly #throttle: LogThrottle;
  readonly #run: BatchRun;
  #log: Logger | undefined;
  state: AddressState | undefined = undefined;
  generation: number | undefined = undefined;
  attempts = 0;

  constructor(deps: BatchInvokerDeps, throttle: LogThrottle, run: BatchRun) {
    this.#deps = deps;
    this.#throttle = throttle;
    this.#run = run;
  }

  log(): Logger {
    const { address, keyGroup } = this.#run.mailbox;
    return (this.#log ??= this.#deps.log.child({
      functionType: address.type,
      functionId: address.id,
      keyGroup,
    }));
  }

  mayLog(kind: 'failed' | 'stalled' | 'recovered'): { readonly suppressed: number } | undefined {
    return this.#throttle.take(`${this.#run.mailbox.address.type} ${kind}`);
  }

  isStopping(): boolean {
    return this.#run.signal.aborted || this.#run.isStopping();
  }

  onFailure(code: string): void {
    this.#deps.metrics.invocationFailures.inc({
      function_type: this.#run.mailbox.address.type,
      reason: code,
    });
  }

  settled(): void {
    if (this.state !== undefined)
      this.#deps.cache.release(this.#run.mailbox.address, this.state, this.generation, this.#run.mailbox.key);
  }
}
