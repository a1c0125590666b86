/**
 * validateReply: every problem of a reply is refused with its own code before anything is applied, and a valid
 * reply comes out normalized (absent fields defaulted, function types joined, tokens and values as sent).
 */
import { MutationType, type InvocationResponseProps } from '@statehouse/protocol';
import { describe, expect, it } from 'vitest';
import type { FunctionAddress } from '../core/address.js';
import { STORE_TEXT_LIMITS } from '../core/store-text.js';
import { FunctionReplyError } from '../errors.js';
import type { FunctionSpecRecord } from '../store/store.js';
import { validateReply, type ReplyContext } from './reply-validator.js';

const SELF: FunctionAddress = { type: 'test/self', id: 'me' };

function spec(stateName: string, typename: string): FunctionSpecRecord {
  return { functionType: SELF.type, stateName, typename, expireMode: 'NONE', expireAfterMs: 0 };
}

const COUNT = spec('count', 'test/Count');
const NAME = spec('name', 'test/Name');

function context(
  overrides: { bound?: string[]; egresses?: string[]; pendingTokens?: string[] } = {},
): ReplyContext {
  const bound = new Set(overrides.bound ?? ['test/self', 'test/other']);
  const egresses = new Set(overrides.egresses ?? ['test/out']);
  const pending = new Set(overrides.pendingTokens ?? []);
  return {
    self: SELF,
    specs: new Map([
      [COUNT.stateName, COUNT],
      [NAME.stateName, NAME],
    ]),
    isBound: (type) => bound.has(type),
    hasEgress: (id) => egresses.has(id),
    hasPendingToken: (token) => pending.has(token),
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const OTHER = { namespace: 'test', type: 'other', id: 'x' };
const ARG = { typename: 'test/Arg', value: bytes('a') };

/** Validates a reply that must be refused, and returns the error. */
function refusal(reply: InvocationResponseProps, ctx: ReplyContext = context()): FunctionReplyError {
  try {
    validateReply(reply, ctx);
  } catch (err) {
    expect(err).toBeInstanceOf(FunctionReplyError);
    return err as FunctionReplyError;
  }
  throw new Error('the reply was accepted');
}

describe('validateReply: valid replies', () => {
  it('accepts an empty reply as no effects', () => {
    expect(validateReply({}, context())).toEqual({ mutations: [], messages: [], delayed: [], egress: [] });
  });

  it('turns MODIFY into a write of the value and DELETE (or no mutation type) into a delete', () => {
    const reply = validateReply(
      {
        stateMutations: [
          {
            stateName: 'count',
            mutationType: MutationType.MODIFY,
            stateValue: { typename: 'test/Count', value: bytes('7') },
          },
          { stateName: 'name', mutationType: MutationType.DELETE },
          { stateName: 'count' },
          { stateName: 'name', mutationType: MutationType.MODIFY, stateValue: { typename: 'test/Name' } },
        ],
      },
      context(),
    );
    expect(reply.mutations).toEqual([
      { spec: COUNT, value: { typename: 'test/Count', value: bytes('7') } },
      { spec: NAME, value: undefined },
      { spec: COUNT, value: undefined },
      { spec: NAME, value: { typename: 'test/Name', value: new Uint8Array(0) } },
    ]);
  });

  it('joins the target namespace and type into a function type and keeps the argument', () => {
    const reply = validateReply(
      {
        outgoingMessages: [
          { target: OTHER, argument: ARG },
          { target: { namespace: 'test', type: 'self' }, argument: { typename: 'test/Empty' } },
        ],
      },
      context(),
    );
    expect(reply.messages).toEqual([
      { target: { type: 'test/other', id: 'x' }, argument: { typename: 'test/Arg', value: bytes('a') } },
      // An absent id is the empty id, an absent value the empty value.
      {
        target: { type: 'test/self', id: '' },
        argument: { typename: 'test/Empty', value: new Uint8Array(0) },
      },
    ]);
  });

  it('keeps delayed messages and cancellations in reply order, an empty token as none', () => {
    const reply = validateReply(
      {
        delayedInvocations: [
          { delayInMs: 1500, target: OTHER, argument: ARG, cancellationToken: 't1' },
          { isCancellationRequest: true, cancellationToken: 'old' },
          { target: OTHER, argument: ARG, cancellationToken: '' },
        ],
      },
      context(),
    );
    expect(reply.delayed).toEqual([
      {
        kind: 'send',
        delayMs: 1500,
        target: { type: 'test/other', id: 'x' },
        argument: { typename: 'test/Arg', value: bytes('a') },
        token: 't1',
      },
      { kind: 'cancel', token: 'old' },
      {
        kind: 'send',
        delayMs: 0,
        target: { type: 'test/other', id: 'x' },
        argument: { typename: 'test/Arg', value: bytes('a') },
        token: undefined,
      },
    ]);
  });

  it('names each egress record by its namespace/type id', () => {
    const reply = validateReply(
      { outgoingEgresses: [{ egressNamespace: 'test', egressType: 'out', argument: ARG }] },
      context(),
    );
    expect(reply.egress).toEqual([
      { egressId: 'test/out', value: { typename: 'test/Arg', value: bytes('a') } },
    ]);
  });

  it('accepts a token that a pending delayed message has once this reply cancels it first', () => {
    const reply = validateReply(
      {
        delayedInvocations: [
          { isCancellationRequest: true, cancellationToken: 'T' },
          { delayInMs: 10, target: OTHER, argument: ARG, cancellationToken: 'T' },
        ],
      },
      context({ pendingTokens: ['T'] }),
    );
    expect(reply.delayed.map((d) => d.kind)).toEqual(['cancel', 'send']);
  });

  it('accepts a token reused within a reply once the reply cancelled its first use', () => {
    const reply = validateReply(
      {
        delayedInvocations: [
          { delayInMs: 10, target: OTHER, argument: ARG, cancellationToken: 'T' },
          { isCancellationRequest: true, cancellationToken: 'T' },
          { delayInMs: 20, target: OTHER, argument: ARG, cancellationToken: 'T' },
        ],
      },
      context(),
    );
    expect(reply.delayed).toHaveLength(3);
  });

  it('accepts text exactly at the store limits', () => {
    const id = 'i'.repeat(STORE_TEXT_LIMITS.id);
    const token = 't'.repeat(STORE_TEXT_LIMITS.token);
    const typename = `t/${'a'.repeat(STORE_TEXT_LIMITS.typename - 2)}`;
    const reply = validateReply(
      {
        delayedInvocations: [
          {
            delayInMs: 1,
            target: { ...OTHER, id },
            argument: { typename },
            cancellationToken: token,
          },
        ],
      },
      context(),
    );
    expect(reply.delayed[0]).toMatchObject({ target: { id }, argument: { typename }, token });
  });
});

describe('validateReply: refusals', () => {
  it('refuses with a retryable FunctionReplyError', () => {
    const err = refusal({ stateMutations: [{ stateName: 'nope' }] });
    expect(err.retryable).toBe(true);
  });

  describe('state mutations', () => {
    it('refuses a state the function never declared (ERR_REPLY_UNKNOWN_STATE)', () => {
      const err = refusal({
        stateMutations: [{ stateName: 'count' }, { stateName: 'nope', mutationType: MutationType.DELETE }],
      });
      expect(err.code).toBe('ERR_REPLY_UNKNOWN_STATE');
      expect(err.message).toContain('state_mutations[1]');
      expect(err.message).toContain('"nope"');
    });

    it('refuses a MODIFY whose typename differs from the registered one (ERR_REPLY_STATE_TYPE_MISMATCH)', () => {
      const err = refusal({
        stateMutations: [
          {
            stateName: 'count',
            mutationType: MutationType.MODIFY,
            stateValue: { typename: 'test/Name', value: bytes('x') },
          },
        ],
      });
      expect(err.code).toBe('ERR_REPLY_STATE_TYPE_MISMATCH');
      expect(err.message).toContain('test/Count');
    });

    it('refuses a MODIFY without a value (ERR_REPLY_STATE_TYPE_MISMATCH)', () => {
      expect(
        refusal({ stateMutations: [{ stateName: 'count', mutationType: MutationType.MODIFY }] }).code,
      ).toBe('ERR_REPLY_STATE_TYPE_MISMATCH');
    });

    it('refuses an unknown mutation type (ERR_REPLY_INVALID_MUTATION)', () => {
      const err = refusal({ stateMutations: [{ stateName: 'count', mutationType: 7 as MutationType }] });
      expect(err.code).toBe('ERR_REPLY_INVALID_MUTATION');
      expect(err.message).toContain('7');
    });
  });

  describe('targets and arguments', () => {
    it.each([
      ['no target', { argument: ARG }],
      ['a null target', { target: null, argument: ARG }],
      ['an empty namespace', { target: { namespace: '', type: 'other', id: 'x' }, argument: ARG }],
      ['an empty type', { target: { namespace: 'test', type: '', id: 'x' }, argument: ARG }],
      ['no type', { target: { namespace: 'test', id: 'x' }, argument: ARG }],
    ])('refuses a message with %s (ERR_REPLY_INVALID_TARGET)', (_, message) => {
      const err = refusal({ outgoingMessages: [message] });
      expect(err.code).toBe('ERR_REPLY_INVALID_TARGET');
      expect(err.message).toContain('outgoing_messages[0]');
    });

    it('refuses a target that no endpoint serves (ERR_REPLY_UNKNOWN_FUNCTION_TYPE)', () => {
      const err = refusal(
        { outgoingMessages: [{ target: OTHER, argument: ARG }] },
        context({ bound: ['test/self'] }),
      );
      expect(err.code).toBe('ERR_REPLY_UNKNOWN_FUNCTION_TYPE');
      expect(err.message).toContain('test/other');
    });

    it.each([
      ['no argument', { target: OTHER }],
      ['a null argument', { target: OTHER, argument: null }],
      ['an argument without a typename', { target: OTHER, argument: { value: bytes('a') } }],
      [
        'an argument with an empty typename',
        { target: OTHER, argument: { typename: '', value: bytes('a') } },
      ],
    ])('refuses a message with %s (ERR_REPLY_MISSING_ARGUMENT)', (_, message) => {
      expect(refusal({ outgoingMessages: [message] }).code).toBe('ERR_REPLY_MISSING_ARGUMENT');
    });

    it('checks targets and arguments of delayed messages too', () => {
      expect(refusal({ delayedInvocations: [{ delayInMs: 1, argument: ARG }] }).code).toBe(
        'ERR_REPLY_INVALID_TARGET',
      );
      expect(
        refusal(
          { delayedInvocations: [{ delayInMs: 1, target: OTHER, argument: ARG }] },
          context({ bound: [] }),
        ).code,
      ).toBe('ERR_REPLY_UNKNOWN_FUNCTION_TYPE');
      const err = refusal({ delayedInvocations: [{ delayInMs: 1, target: OTHER }] });
      expect(err.code).toBe('ERR_REPLY_MISSING_ARGUMENT');
      expect(err.message).toContain('delayed_invocations[0]');
    });
  });

  describe('text the store could not keep (ERR_REPLY_INVALID_TEXT)', () => {
    const over = (limit: number): string => 'x'.repeat(limit + 1);

    it.each([
      ['an id over the limit', { ...OTHER, id: over(STORE_TEXT_LIMITS.id) }, 'target.id'],
      ['an id with NUL', { ...OTHER, id: 'a\u0000b' }, 'target.id'],
      ['an id with an unpaired surrogate', { ...OTHER, id: 'a\uD800' }, 'target.id'],
      [
        'a function type over the limit',
        { namespace: 'test', type: over(STORE_TEXT_LIMITS.typename - 'test/'.length), id: 'x' },
        'function type',
      ],
    ])('refuses a target with %s', (_, target, where) => {
      // The text check comes first: such a type is bound nowhere either.
      const err = refusal({ outgoingMessages: [{ target, argument: ARG }] });
      expect(err.code).toBe('ERR_REPLY_INVALID_TEXT');
      expect(err.message).toContain(where);
    });

    it('refuses an argument typename over the limit', () => {
      const err = refusal({
        outgoingMessages: [
          { target: OTHER, argument: { typename: `t/${over(STORE_TEXT_LIMITS.typename - 2)}` } },
        ],
      });
      expect(err.code).toBe('ERR_REPLY_INVALID_TEXT');
      expect(err.message).toContain('argument.typename');
    });

    it('refuses an egress argument typename with NUL', () => {
      expect(
        refusal({
          outgoingEgresses: [
            { egressNamespace: 'test', egressType: 'out', argument: { typename: 't/\u0000' } },
          ],
        }).code,
      ).toBe('ERR_REPLY_INVALID_TEXT');
    });

    it('refuses a cancellation token over the limit, in a send or a cancellation', () => {
      const token = over(STORE_TEXT_LIMITS.token);
      const send = refusal({
        delayedInvocations: [{ delayInMs: 1, target: OTHER, argument: ARG, cancellationToken: token }],
      });
      expect(send.code).toBe('ERR_REPLY_INVALID_TEXT');
      expect(send.message).toContain('cancellation_token');
      const cancel = refusal({
        delayedInvocations: [{ isCancellationRequest: true, cancellationToken: token }],
      });
      expect(cancel.code).toBe('ERR_REPLY_INVALID_TEXT');
    });
  });

  describe('delayed messages', () => {
    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['beyond the safe integers', 2 ** 53],
      ['not a number', Number.NaN],
    ])('refuses a %s delay (ERR_REPLY_INVALID_DELAY)', (_, delayInMs) => {
      const err = refusal({ delayedInvocations: [{ delayInMs, target: OTHER, argument: ARG }] });
      expect(err.code).toBe('ERR_REPLY_INVALID_DELAY');
      expect(err.message).toContain(String(delayInMs));
    });

    it('refuses a cancellation without a token (ERR_REPLY_EMPTY_CANCELLATION_TOKEN)', () => {
      expect(refusal({ delayedInvocations: [{ isCancellationRequest: true }] }).code).toBe(
        'ERR_REPLY_EMPTY_CANCELLATION_TOKEN',
      );
      expect(
        refusal({ delayedInvocations: [{ isCancellationRequest: true, cancellationToken: '' }] }).code,
      ).toBe('ERR_REPLY_EMPTY_CANCELLATION_TOKEN');
    });

    it('refuses a token used twice in one reply (ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN)', () => {
      const err = refusal({
        delayedInvocations: [
          { delayInMs: 1, target: OTHER, argument: ARG, cancellationToken: 'T' },
          { delayInMs: 2, target: OTHER, argument: ARG, cancellationToken: 'T' },
        ],
      });
      expect(err.code).toBe('ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN');
      expect(err.message).toContain('delayed_invocations[1]');
    });

    it('refuses a token a pending delayed message already has (ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN)', () => {
      const reply = {
        delayedInvocations: [{ delayInMs: 1, target: OTHER, argument: ARG, cancellationToken: 'T' }],
      };
      expect(refusal(reply, context({ pendingTokens: ['T'] })).code).toBe(
        'ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN',
      );
      expect(validateReply(reply, context({ pendingTokens: ['U'] })).delayed).toHaveLength(1);
    });

    it('still refuses a pending token when the cancellation comes after the send', () => {
      const err = refusal(
        {
          delayedInvocations: [
            { delayInMs: 1, target: OTHER, argument: ARG, cancellationToken: 'T' },
            { isCancellationRequest: true, cancellationToken: 'T' },
          ],
        },
        context({ pendingTokens: ['T'] }),
      );
      expect(err.code).toBe('ERR_REPLY_DUPLICATE_CANCELLATION_TOKEN');
    });
  });

  describe('egress', () => {
    it('refuses an egress that is not configured (ERR_REPLY_UNKNOWN_EGRESS)', () => {
      const err = refusal({
        outgoingEgresses: [{ egressNamespace: 'test', egressType: 'elsewhere', argument: ARG }],
      });
      expect(err.code).toBe('ERR_REPLY_UNKNOWN_EGRESS');
      expect(err.message).toContain('"test/elsewhere"');
    });

    it('refuses an egress record without an argument (ERR_REPLY_MISSING_ARGUMENT)', () => {
      const err = refusal({ outgoingEgresses: [{ egressNamespace: 'test', egressType: 'out' }] });
      expect(err.code).toBe('ERR_REPLY_MISSING_ARGUMENT');
      expect(err.message).toContain('outgoing_egresses[0]');
    });
  });
});
