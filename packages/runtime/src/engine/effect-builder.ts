/**
 * Turns a validated reply into the effects of one invocation (and a due timer into its inbox message): the twin
 * of `request-builder.ts`. Pure apart from taking ids; `applyStateWrites` then applies the writes to the cached
 * state, and the caller submits the effect set.
 */
import { keyGroupOf, type FunctionAddress } from '../core/address.js';
import type {
  EgressAppend,
  FunctionSpecRecord,
  StateWrite,
  StoredMessage,
  StoredState,
  StoredTimer,
} from '../store/store.js';
import type { EffectSet, TimerOp } from './effect-set.js';
import type { IdSource } from './id-allocator.js';
import type { ValidReply } from './reply-validator.js';
import type { AddressState } from './state-cache.js';

/** What an invocation's effects are built from, besides the reply. */
export interface EffectContext {
  /** The invoked address and its key group. */
  readonly self: FunctionAddress;
  readonly keyGroup: number;
  /** Number of key groups of the deployment (messages go to their target's key group). */
  readonly keyGroups: number;
  /** The function type's state specs (for TTL refreshes). */
  readonly specs: ReadonlyMap<string, FunctionSpecRecord>;
  /** The address's state as the function saw it. */
  readonly state: ReadonlyMap<string, StoredState>;
  /** Inbox seqs of the batch the reply answers. */
  readonly consumed: readonly number[];
  /** Epoch milliseconds of the reply. */
  readonly now: number;
  readonly ids: IdSource;
  /** The invocation span's `traceparent`; `undefined` when tracing is off. */
  readonly traceparent?: string | undefined;
}

/** The effects of one invocation, and the timers to arm once they are committed. */
export interface BuiltEffects {
  readonly effects: EffectSet;
  readonly newTimers: readonly StoredTimer[];
}

/**
 * Builds the effect set of a validated reply. Every id is taken here (taking one can fail in cluster mode),
 * before the caller changes anything, so a reply is applied wholly or not at all.
 *
 * @throws when the id source has no ids left (cluster mode: the next block is on its way).
 */
export function buildEffects(reply: ValidReply, ctx: EffectContext): BuiltEffects {
  const { self, ids, now } = ctx;
  const messages: StoredMessage[] = reply.messages.map((m) => ({
    seq: ids.nextSeq(),
    keyGroup: keyGroupOf(m.target, ctx.keyGroups),
    target: m.target,
    caller: self,
    argument: m.argument,
    enqueuedAt: now,
    traceparent: ctx.traceparent,
  }));
  const { timerOps, newTimers } = buildTimerOps(reply, ctx);
  const egress: EgressAppend[] = reply.egress.map((e) => ({
    egressId: e.egressId,
    offset: ids.nextEgressOffset(e.egressId),
    producer: self,
    value: e.value,
    createdAt: now,
    traceparent: ctx.traceparent,
  }));
  return {
    effects: {
      address: self,
      consumedMessages: ctx.consumed,
      firedTimers: [],
      fenceKeyGroups: [ctx.keyGroup],
      messages,
      timerOps,
      stateWrites: buildStateWrites(reply, ctx),
      egress,
    },
    newTimers,
  };
}

function buildTimerOps(
  reply: ValidReply,
  ctx: EffectContext,
): { timerOps: TimerOp[]; newTimers: StoredTimer[] } {
  const timerOps: TimerOp[] = [];
  const newTimers: StoredTimer[] = [];
  for (const d of reply.delayed) {
    if (d.kind === 'cancel') {
      timerOps.push({ cancel: { sender: ctx.self, token: d.token } });
      continue;
    }
    const timer: StoredTimer = {
      id: ctx.ids.nextTimerId(),
      // Timers live in the sender's key group: its owner arms them and cancels them by token.
      keyGroup: ctx.keyGroup,
      fireAt: ctx.now + d.delayMs,
      sender: ctx.self,
      token: d.token,
      target: d.target,
      argument: d.argument,
      traceparent: ctx.traceparent,
    };
    newTimers.push(timer);
    timerOps.push({ add: timer });
  }
  return { timerOps, newTimers };
}

/** The reply's state mutations, then the TTL refreshes of expire-after-invoke values it left alone. */
function buildStateWrites(reply: ValidReply, ctx: EffectContext): StateWrite[] {
  const { self, keyGroup, now } = ctx;
  const writes: StateWrite[] = [];
  const mutated = new Set<string>();
  for (const m of reply.mutations) {
    const name = m.spec.stateName;
    mutated.add(name);
    const expiresAt =
      m.value === undefined || m.spec.expireMode === 'NONE' ? undefined : now + m.spec.expireAfterMs;
    writes.push({ keyGroup, address: self, name, value: m.value, expiresAt });
  }
  // Expire-after-call: every invocation reads every state, so each one pushes the deadline out.
  for (const spec of ctx.specs.values()) {
    if (spec.expireMode !== 'AFTER_INVOKE' || mutated.has(spec.stateName)) continue;
    const current = ctx.state.get(spec.stateName);
    if (current === undefined) continue;
    writes.push({
      keyGroup,
      address: self,
      name: spec.stateName,
      value: { typename: current.typename, value: current.value },
      expiresAt: now + spec.expireAfterMs,
    });
  }
  return writes;
}

/**
 * The effects of a due delayed message: one commit turns the timer into an inbox message of its target (which
 * frees its cancellation token at once, durably). Fenced by the sender's key group, where the timer lives.
 */
export function buildFiredTimerEffects(
  timer: StoredTimer,
  ctx: { readonly seq: number; readonly keyGroups: number; readonly now: number },
): EffectSet {
  const message: StoredMessage = {
    seq: ctx.seq,
    keyGroup: keyGroupOf(timer.target, ctx.keyGroups),
    target: timer.target,
    caller: timer.sender,
    argument: timer.argument,
    enqueuedAt: ctx.now,
    traceparent: timer.traceparent,
  };
  return {
    consumedMessages: [],
    firedTimers: [timer.id],
    messages: [message],
    timerOps: [],
    stateWrites: [],
    egress: [],
    fenceKeyGroups: [timer.keyGroup],
  };
}

/** Applies state writes to an address's cached state (the one step of applying a reply that mutates). */
export function applyStateWrites(state: AddressState, writes: readonly StateWrite[]): void {
  for (const w of writes) {
    if (w.value === undefined) state.delete(w.name);
    else
      state.set(w.name, {
        name: w.name,
        typename: w.value.typename,
        value: w.value.value,
        expiresAt: w.expiresAt,
      });
  }
}
