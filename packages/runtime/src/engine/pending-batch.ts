/**
 * The open batch of a group commit: submissions (effect sets, ingress writes, spec registrations) merged into
 * one store transaction, each kept as a part so that a refused group can be committed part by part.
 */
import { timerTokenKey } from './timer-service.js';
import type { EffectSet } from './effect-set.js';
import type {
  CommitBatch,
  ConnectorPosition,
  DeadLetter,
  EgressAppend,
  FunctionSpecRecord,
  IngressResult,
  IngressWrite,
  StateWrite,
  StoredMessage,
  StoredTimer,
  TimerCancellation,
} from '../store/store.js';

/** Who waits for a submission to commit. */
export interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/** Who waits for an ingress write to commit. */
export interface IngressWaiter {
  resolve(r: IngressResult): void;
  reject(err: unknown): void;
}

/** One submission, kept so that a refused group can be committed part by part. */
export type Part =
  | { readonly kind: 'effects'; readonly effects: EffectSet; readonly waiter: Waiter }
  | { readonly kind: 'ingress'; readonly write: IngressWrite; readonly waiter: IngressWaiter }
  | { readonly kind: 'specs'; readonly specs: readonly FunctionSpecRecord[]; readonly waiter: Waiter };

/** Submissions merged into one transaction. */
export class PendingBatch {
  specs: FunctionSpecRecord[] = [];
  ingress: IngressWrite[] = [];
  ingressWaiters: IngressWaiter[] = [];
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
  deadLetters: Omit<DeadLetter, 'id'>[] = [];
  // By connector, source and part: a later submission's position of a part replaces an earlier one.
  positions = new Map<string, ConnectorPosition>();
  waiters: Waiter[] = [];
  effectSets = 0;
  fenceKeyGroups = new Set<number>();
  readonly parts: Part[] = [];
  /** A batch of one effect set that nothing else was built on (see `submitEffects`). */
  isolated = false;

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  add(part: Part): void {
    this.parts.push(part);
    if (part.kind === 'ingress') {
      this.ingress.push(part.write);
      this.ingressWaiters.push(part.waiter);
    } else if (part.kind === 'specs') {
      pushAll(this.specs, part.specs);
      this.waiters.push(part.waiter);
    } else {
      this.#addEffects(part.effects);
      this.waiters.push(part.waiter);
    }
  }

  #addEffects(effects: EffectSet): void {
    for (const seq of effects.consumedMessages) {
      const index = this.messageIndex.get(seq);
      if (index === undefined) {
        this.consumedMessages.push(seq);
      } else {
        this.messages[index] = undefined;
        this.messageIndex.delete(seq);
      }
    }
    pushAll(this.firedTimers, effects.firedTimers);
    for (const m of effects.messages) {
      this.messageIndex.set(m.seq, this.messages.length);
      this.messages.push(m);
    }
    for (const op of effects.timerOps) {
      if ('add' in op) {
        if (op.add.token !== undefined)
          this.timerByToken.set(timerTokenKey(op.add.sender, op.add.token), this.timers.length);
        this.timers.push(op.add);
        continue;
      }
      const key = timerTokenKey(op.cancel.sender, op.cancel.token);
      const index = this.timerByToken.get(key);
      if (index === undefined) {
        this.cancellations.push(op.cancel);
      } else {
        this.timers[index] = undefined;
        this.timerByToken.delete(key);
      }
    }
    pushAll(this.stateWrites, effects.stateWrites);
    pushAll(this.egress, effects.egress);
    if (effects.deadLetters !== undefined) pushAll(this.deadLetters, effects.deadLetters);
    for (const p of effects.positions ?? []) this.positions.set(positionKey(p), p);
    for (const kg of effects.fenceKeyGroups) this.fenceKeyGroups.add(kg);
    this.effectSets += 1;
  }

  /** Rejects every waiter. */
  rejectAll(err: unknown): void {
    for (const w of this.waiters) w.reject(err);
    for (const w of this.ingressWaiters) w.reject(err);
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
      deadLetters: this.deadLetters,
      positions: [...this.positions.values()],
      removedDeadLetters: [],
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
      this.egress.length +
      this.deadLetters.length +
      this.positions.size
    );
  }
}

function positionKey(p: ConnectorPosition): string {
  return `${p.connector}\u0000${p.source}\u0000${p.part}`;
}

function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
