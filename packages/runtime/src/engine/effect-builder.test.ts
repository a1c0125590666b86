import { describe, expect, it } from 'vitest';
import type { FunctionAddress } from '../core/address.js';
import type { FunctionSpecRecord, StoredState } from '../store/store.js';
import { applyStateWrites, buildEffects, type EffectContext } from './effect-builder.js';
import { IdAllocator } from './id-allocator.js';
import type { ValidReply } from './reply-validator.js';
import type { AddressState } from './state-cache.js';

const self: FunctionAddress = { type: 'ex/cart', id: 'kim' };
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const value = (s: string): { typename: string; value: Uint8Array } => ({ typename: 'ex/v', value: bytes(s) });

function spec(stateName: string, over: Partial<FunctionSpecRecord> = {}): FunctionSpecRecord {
  return {
    functionType: self.type,
    stateName,
    typename: 'ex/v',
    expireMode: 'NONE',
    expireAfterMs: 0,
    ...over,
  };
}

const EMPTY: ValidReply = { mutations: [], messages: [], delayed: [], egress: [] };

function context(over: Partial<EffectContext> = {}): EffectContext {
  return {
    self,
    keyGroup: 7,
    keyGroups: 256,
    specs: new Map(),
    state: new Map(),
    consumed: [11, 12],
    now: 1_000_000,
    ids: new IdAllocator({ maxMessageSeq: 100, maxTimerId: 40, egressNextOffsets: new Map([['ex/out', 5]]) }),
    ...over,
  };
}

describe('buildEffects', () => {
  it('consumes the batch and fences the address key group, even for an empty reply', () => {
    const { effects, newTimers } = buildEffects(EMPTY, context());
    expect(effects).toEqual({
      address: self,
      consumedMessages: [11, 12],
      firedTimers: [],
      fenceKeyGroups: [7],
      messages: [],
      timerOps: [],
      stateWrites: [],
      egress: [],
    });
    expect(newTimers).toEqual([]);
  });

  it('gives messages fresh seqs in reply order, their target key group, self as caller', () => {
    const a = { type: 'ex/inv', id: 'apple' };
    const b = { type: 'ex/inv', id: 'pear' };
    const reply: ValidReply = {
      ...EMPTY,
      messages: [
        { target: a, argument: value('1') },
        { target: b, argument: value('2') },
      ],
    };
    const { effects } = buildEffects(reply, context({ keyGroups: 4 }));
    expect(effects.messages.map((m) => m.seq)).toEqual([101, 102]);
    expect(effects.messages.map((m) => m.target)).toEqual([a, b]);
    for (const m of effects.messages) {
      expect(m.caller).toEqual(self);
      expect(m.enqueuedAt).toBe(1_000_000);
      expect(m.keyGroup).toBeGreaterThanOrEqual(0);
      expect(m.keyGroup).toBeLessThan(4);
    }
  });

  it('turns delayed sends into timers in the sender key group, and cancellations into cancel ops, in order', () => {
    const target = { type: 'ex/inv', id: 'apple' };
    const reply: ValidReply = {
      ...EMPTY,
      delayed: [
        { kind: 'send', delayMs: 500, target, argument: value('x'), token: 't1' },
        { kind: 'cancel', token: 'old' },
        { kind: 'send', delayMs: 0, target, argument: value('y'), token: undefined },
      ],
    };
    const { effects, newTimers } = buildEffects(reply, context());
    expect(newTimers.map((t) => [t.id, t.keyGroup, t.fireAt, t.token])).toEqual([
      [41, 7, 1_000_500, 't1'],
      [42, 7, 1_000_000, undefined],
    ]);
    expect(effects.timerOps).toEqual([
      { add: newTimers[0] },
      { cancel: { sender: self, token: 'old' } },
      { add: newTimers[1] },
    ]);
  });

  it('numbers egress records per egress from the id source', () => {
    const reply: ValidReply = {
      ...EMPTY,
      egress: [
        { egressId: 'ex/out', value: value('a') },
        { egressId: 'ex/out', value: value('b') },
      ],
    };
    const { effects } = buildEffects(reply, context());
    expect(effects.egress.map((e) => [e.egressId, e.offset, e.producer, e.createdAt])).toEqual([
      ['ex/out', 5, self, 1_000_000],
      ['ex/out', 6, self, 1_000_000],
    ]);
  });

  it('writes and deletes state, with the TTL of its spec from now', () => {
    const ttl = spec('seen', { expireMode: 'AFTER_WRITE', expireAfterMs: 60_000 });
    const reply: ValidReply = {
      ...EMPTY,
      mutations: [
        { spec: spec('items'), value: value('{}') },
        { spec: ttl, value: value('1') },
        { spec: spec('gone'), value: undefined },
      ],
    };
    const { effects } = buildEffects(reply, context());
    expect(effects.stateWrites).toEqual([
      { keyGroup: 7, address: self, name: 'items', value: value('{}'), expiresAt: undefined },
      { keyGroup: 7, address: self, name: 'seen', value: value('1'), expiresAt: 1_060_000 },
      { keyGroup: 7, address: self, name: 'gone', value: undefined, expiresAt: undefined },
    ]);
  });

  it('pushes out the deadline of expire-after-invoke values the reply left alone, and only those', () => {
    const touched = spec('touched', { expireMode: 'AFTER_INVOKE', expireAfterMs: 1_000 });
    const idle = spec('idle', { expireMode: 'AFTER_INVOKE', expireAfterMs: 2_000 });
    const absent = spec('absent', { expireMode: 'AFTER_INVOKE', expireAfterMs: 3_000 });
    const written = spec('written', { expireMode: 'AFTER_WRITE', expireAfterMs: 4_000 });
    const state = new Map<string, StoredState>([
      ['touched', { name: 'touched', typename: 'ex/v', value: bytes('t'), expiresAt: 5 }],
      ['idle', { name: 'idle', typename: 'ex/v', value: bytes('i'), expiresAt: 5 }],
      ['written', { name: 'written', typename: 'ex/v', value: bytes('w'), expiresAt: 5 }],
    ]);
    const specs = new Map([touched, idle, absent, written].map((s) => [s.stateName, s]));
    const reply: ValidReply = { ...EMPTY, mutations: [{ spec: touched, value: value('new') }] };
    const { effects } = buildEffects(reply, context({ specs, state }));
    expect(effects.stateWrites).toEqual([
      { keyGroup: 7, address: self, name: 'touched', value: value('new'), expiresAt: 1_001_000 },
      {
        keyGroup: 7,
        address: self,
        name: 'idle',
        value: { typename: 'ex/v', value: bytes('i') },
        expiresAt: 1_002_000,
      },
    ]);
  });

  it('takes every id before returning, so a failing id source leaves nothing half built', () => {
    const ids = {
      nextSeq: () => {
        throw new Error('no ids');
      },
      nextTimerId: () => 1,
      nextEgressOffset: () => 1,
    };
    const reply: ValidReply = { ...EMPTY, messages: [{ target: self, argument: value('1') }] };
    expect(() => buildEffects(reply, context({ ids }))).toThrow('no ids');
  });
});

describe('applyStateWrites', () => {
  it('sets and deletes cached values', () => {
    const state: AddressState = new Map([
      ['old', { name: 'old', typename: 'ex/v', value: bytes('o'), expiresAt: undefined }],
    ]);
    applyStateWrites(state, [
      { keyGroup: 0, address: self, name: 'old', value: undefined, expiresAt: undefined },
      { keyGroup: 0, address: self, name: 'new', value: value('n'), expiresAt: 9 },
    ]);
    expect([...state.entries()]).toEqual([
      ['new', { name: 'new', typename: 'ex/v', value: bytes('n'), expiresAt: 9 }],
    ]);
  });
});
