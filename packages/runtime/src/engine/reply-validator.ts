/**
 * Checks a function's `InvocationResponse` completely before anything of it is applied. Any problem throws
 * a {@link FunctionReplyError}; the caller then retries the batch, so a bad reply never corrupts state.
 */
import {
  MutationType,
  type AddressProps,
  type InvocationResponseProps,
  type TypedValueProps,
} from '@statehouse/protocol';
import type { FunctionAddress, FunctionType } from '../core/address.js';
import { STORE_TEXT_LIMITS, storeTextProblem } from '../core/store-text.js';
import { FunctionReplyError } from '../errors.js';
import type { FunctionSpecRecord, StoredValue } from '../store/store.js';

/** A validated state mutation; `value === undefined` deletes. */
export interface ValidMutation {
  readonly spec: FunctionSpecRecord;
  readonly value: StoredValue | undefined;
}

/** A validated delayed message or cancellation, in reply order. */
export type ValidDelayed =
  | {
      readonly kind: 'send';
      readonly delayMs: number;
      readonly target: FunctionAddress;
      readonly argument: StoredValue;
      readonly token: string | undefined;
    }
  | { readonly kind: 'cancel'; readonly token: string };

/** A reply that can be applied. */
export interface ValidReply {
  readonly mutations: readonly ValidMutation[];
  readonly messages: readonly { readonly target: FunctionAddress; readonly argument: StoredValue }[];
  readonly delayed: readonly ValidDelayed[];
  readonly egress: readonly { readonly egressId: string; readonly value: StoredValue }[];
}

/** What the validator needs to know about the world. */
export interface ReplyContext {
  readonly self: FunctionAddress;
  readonly specs: ReadonlyMap<string, FunctionSpecRecord>;
  /** Whether an endpoint serves this function type. */
  isBound(type: FunctionType): boolean;
  /** Whether an egress with this id is configured. */
  hasEgress(id: string): boolean;
  /**
   * Why a record cannot go to this egress (a Kafka egress takes only `KafkaProducerRecord`s), or `undefined`
   * when it can; absent when every egress takes any value.
   */
  egressRecordProblem?(id: string, value: StoredValue): string | undefined;
  /** Whether `self` already has a pending delayed message with this token. */
  hasPendingToken(token: string): boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * Validates a reply.
 *
 * @returns the effects to apply.
 * @throws {@link FunctionReplyError} naming the first problem found.
 */
export function validateReply(reply: InvocationResponseProps, ctx: ReplyContext): ValidReply {
  // In this order, so the first problem named is the first in the reply's field order.
  const mutations = validateMutations(reply.stateMutations ?? [], ctx);
  const messages = validateMessages(reply.outgoingMessages ?? [], ctx);
  const delayed = validateDelayed(reply.delayedInvocations ?? [], ctx);
  const egress = validateEgress(reply.outgoingEgresses ?? [], ctx);
  return { mutations, messages, delayed, egress };
}

type Mutation = NonNullable<InvocationResponseProps['stateMutations']>[number];
type OutgoingMessage = NonNullable<InvocationResponseProps['outgoingMessages']>[number];
type DelayedInvocation = NonNullable<InvocationResponseProps['delayedInvocations']>[number];
type OutgoingEgress = NonNullable<InvocationResponseProps['outgoingEgresses']>[number];

function validateMutations(list: readonly Mutation[], ctx: ReplyContext): ValidMutation[] {
  return list.map((m, i) => {
    const name = m.stateName ?? '';
    const spec = ctx.specs.get(name);
    if (spec === undefined) {
      throw new FunctionReplyError(
        'ERR_REPLY_UNKNOWN_STATE',
        `state_mutations[${i}] changes state "${name}", which the function never declared; declare it in the function's specs`,
      );
    }
    const type = m.mutationType ?? MutationType.DELETE;
    if (type === MutationType.DELETE) return { spec, value: undefined };
    if (type !== MutationType.MODIFY) {
      throw new FunctionReplyError(
        'ERR_REPLY_INVALID_MUTATION',
        `state_mutations[${i}] has unknown mutation_type ${String(type)}`,
      );
    }
    const typename = m.stateValue?.typename ?? '';
    if (typename !== spec.typename) {
      throw new FunctionReplyError(
        'ERR_REPLY_STATE_TYPE_MISMATCH',
        `state_mutations[${i}] writes state "${name}" as ${JSON.stringify(typename)}, but it is registered as ${spec.typename}`,
      );
    }
    return { spec, value: { typename, value: m.stateValue?.value ?? EMPTY } };
  });
}

function validateMessages(list: readonly OutgoingMessage[], ctx: ReplyContext): ValidReply['messages'] {
  return list.map((m, i) => ({
    target: targetOf(m.target, `outgoing_messages[${i}]`, ctx),
    argument: argumentOf(m.argument, `outgoing_messages[${i}]`),
  }));
}

function validateDelayed(list: readonly DelayedInvocation[], ctx: ReplyContext): ValidDelayed[] {
  const delayed: ValidDelayed[] = [];
  // Tokens of the sends earlier in this reply that no later cancellation in it has released.
  const tokens = new Set<string>();
  for (const [i, d] of list.entries()) {
    const where = `delayed_invocations[${i}]`;
    const token = d.cancellationToken ?? '';
    if (d.isCancellationRequest === true) {
      delayed.push(cancellationOf(token, where));
      tokens.delete(token);
      continue;
    }
    const delayMs = Number(d.delayInMs ?? 0);
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
      throw new FunctionReplyError(
        'ERR_REPLY_INVALID_DELAY',
        `${where} has delay_in_ms ${String(d.delayInMs)}; it must be an integer ≥ 0`,
      );
    }
    if (token !== '') {
      checkText(token, STORE_TEXT_LIMITS.token, `${where}.cancellation_token`);
      const cancelledHere = delayed.some((x) => x.kind === 'cancel' && x.token === token);
      if (tokens.has(token) || (!cancelledHere && ctx.hasPendingToken(token))) {
        throw new FunctionReplyError(
          'ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN',
          `${where} uses cancellation_token "${token}", which a pending delayed message of this address already has; cancel it first or use a unique token`,
        );
      }
      tokens.add(token);
    }
    delayed.push({
      kind: 'send',
      delayMs,
      target: targetOf(d.target, where, ctx),
      argument: argumentOf(d.argument, where),
      token: token === '' ? undefined : token,
    });
  }
  return delayed;
}

function cancellationOf(token: string, where: string): ValidDelayed {
  if (token === '') {
    throw new FunctionReplyError(
      'ERR_REPLY_EMPTY_CANCELLATION_TOKEN',
      `${where} is a cancellation with an empty cancellation_token`,
    );
  }
  checkText(token, STORE_TEXT_LIMITS.token, `${where}.cancellation_token`);
  return { kind: 'cancel', token };
}

function validateEgress(list: readonly OutgoingEgress[], ctx: ReplyContext): ValidReply['egress'] {
  return list.map((e, i) => {
    const id = `${e.egressNamespace ?? ''}/${e.egressType ?? ''}`;
    if (!ctx.hasEgress(id)) {
      throw new FunctionReplyError(
        'ERR_REPLY_UNKNOWN_EGRESS',
        `outgoing_egresses[${i}] targets egress "${id}", which is not configured; add an egress with that id to module.yaml`,
      );
    }
    const value = argumentOf(e.argument, `outgoing_egresses[${i}]`);
    const problem = ctx.egressRecordProblem?.(id, value);
    if (problem !== undefined) {
      throw new FunctionReplyError(
        'ERR_REPLY_INVALID_EGRESS_RECORD',
        `outgoing_egresses[${i}] to egress "${id}": ${problem}`,
      );
    }
    return { egressId: id, value };
  });
}

function targetOf(a: AddressProps | null | undefined, where: string, ctx: ReplyContext): FunctionAddress {
  const namespace = a?.namespace ?? '';
  const name = a?.type ?? '';
  if (a == null || namespace === '' || name === '') {
    throw new FunctionReplyError(
      'ERR_REPLY_INVALID_TARGET',
      `${where} has no target address (namespace and type are required)`,
    );
  }
  const type = `${namespace}/${name}`;
  const id = a.id ?? '';
  checkText(type, STORE_TEXT_LIMITS.typename, `${where}.target (function type)`);
  checkText(id, STORE_TEXT_LIMITS.id, `${where}.target.id`);
  if (!ctx.isBound(type)) {
    throw new FunctionReplyError(
      'ERR_REPLY_UNKNOWN_FUNCTION_TYPE',
      `${where} targets function type ${type}, which no endpoint in module.yaml serves`,
    );
  }
  return { type, id };
}

function argumentOf(v: TypedValueProps | null | undefined, where: string): StoredValue {
  if (v == null || (v.typename ?? '') === '') {
    throw new FunctionReplyError(
      'ERR_REPLY_MISSING_ARGUMENT',
      `${where} has no argument (a TypedValue with a typename is required)`,
    );
  }
  checkText(v.typename!, STORE_TEXT_LIMITS.typename, `${where}.argument.typename`);
  return { typename: v.typename!, value: v.value ?? EMPTY };
}

/** Refuses text the store could not keep, before it can reach (and fail) a group commit. */
function checkText(value: string, maxBytes: number, where: string): void {
  const problem = storeTextProblem(value, maxBytes);
  if (problem !== undefined) {
    throw new FunctionReplyError(
      'ERR_REPLY_INVALID_TEXT',
      `${where} ${problem}; send identifiers, typenames and tokens as valid Unicode text without NUL within the limit`,
    );
  }
}
