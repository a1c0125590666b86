/**
 * ClusterCoordinator on a ManualClock and an in-memory lease table: heartbeats come every interval and no
 * sooner, leases are renewed by them, and a process whose heartbeats fail or that was silent past its lease
 * drops its key groups and comes back as a new incarnation, all without waiting for real time.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import type { ClusterStore, ClusterView, LeaseRecord } from '../store/cluster-store.js';
import { ClusterCoordinator, type OwnershipHooks } from './coordinator.js';

const KEY_GROUPS = 8;
const LEASE_MS = 4_000;
const HEARTBEAT_MS = 1_000;

/** The lease part of a cluster store, in memory, with time from `clock`. */
class FakeLeases {
  readonly leases = new Map<number, { owner: string | undefined; epoch: number; expiresAt: number }>();
  heartbeats = 0;
  isDown = false;

  constructor(readonly clock: ManualClock) {}

  asStore(): ClusterStore {
    const store: Pick<ClusterStore, 'heartbeat' | 'acquireLeases' | 'releaseLeases' | 'leave'> = {
      heartbeat: (member, leaseMs) => this.#heartbeat(member, leaseMs),
      acquireLeases: (owner, keyGroups, leaseMs) => this.#acquire(owner, keyGroups, leaseMs),
      releaseLeases: (owner, keyGroups) => this.#release(owner, keyGroups),
      leave: (owner) => this.#release(owner, [...this.leases.keys()]),
    };
    return store as ClusterStore;
  }

  #heartbeat(
    member: { nodeId: string; incarnation: string; advertise: string },
    leaseMs: number,
  ): Promise<ClusterView> {
    if (this.isDown) return Promise.reject(new Error('database unreachable'));
    this.heartbeats += 1;
    const now = this.clock.now();
    for (const l of this.leases.values()) {
      if (l.owner === member.incarnation && l.expiresAt > now) l.expiresAt = now + leaseMs;
    }
    return Promise.resolve({
      now,
      liveMembers: [{ ...member, heartbeatAt: now, startedAt: now }],
      leases: [...this.leases].map(([keyGroup, l]): LeaseRecord => ({ keyGroup, ...l })),
    });
  }

  #acquire(owner: string, keyGroups: readonly number[], leaseMs: number): Promise<LeaseRecord[]> {
    if (this.isDown) return Promise.reject(new Error('database unreachable'));
    const now = this.clock.now();
    const got: LeaseRecord[] = [];
    for (const kg of keyGroups) {
      const l = this.leases.get(kg) ?? { owner: undefined, epoch: 0, expiresAt: 0 };
      if (l.owner !== undefined && l.owner !== owner && l.expiresAt > now) continue;
      const epoch = l.owner === owner ? l.epoch : l.epoch + 1;
      this.leases.set(kg, { owner, epoch, expiresAt: now + leaseMs });
      got.push({ keyGroup: kg, owner, epoch, expiresAt: now + leaseMs });
    }
    return Promise.resolve(got);
  }

  #release(owner: string, keyGroups: readonly number[]): Promise<void> {
    if (this.isDown) return Promise.reject(new Error('database unreachable'));
    for (const kg of keyGroups) {
      const l = this.leases.get(kg);
      if (l?.owner === owner) this.leases.set(kg, { ...l, owner: undefined, expiresAt: this.clock.now() });
    }
    return Promise.resolve();
  }
}

/** Lets the promise chains that a fired timer started run to their end (the fake store answers at once). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(extraHooks: Partial<OwnershipHooks> = {}): {
  clock: ManualClock;
  leases: FakeLeases;
  coordinator: ClusterCoordinator;
  events: string[];
} {
  const clock = new ManualClock(1_700_000_000_000);
  const leases = new FakeLeases(clock);
  const events: string[] = [];
  const hooks: OwnershipHooks = {
    onAcquiring: () => Promise.resolve(),
    onAcquired: (kgs) => Promise.resolve(void events.push(`acquired ${kgs.size}`)),
    onReleasing: (kgs) => Promise.resolve(void events.push(`releasing ${kgs.size}`)),
    onLost: () => Promise.resolve(void events.push('lost')),
    ...extraHooks,
  };
  const coordinator = new ClusterCoordinator(
    { store: leases.asStore(), hooks, log: pino({ level: 'silent' }), clock },
    {
      nodeId: 'a',
      advertise: '127.0.0.1:1',
      keyGroups: KEY_GROUPS,
      leaseMs: LEASE_MS,
      heartbeatMs: HEARTBEAT_MS,
    },
  );
  return { clock, leases, coordinator, events };
}

describe('ClusterCoordinator', () => {
  it('joins and takes every free key group on start', async () => {
    const { coordinator, events, leases } = setup();
    await coordinator.start();
    expect(events).toEqual([`acquired ${KEY_GROUPS}`]);
    expect(coordinator.owned.size).toBe(KEY_GROUPS);
    expect(coordinator.isHealthy).toBe(true);
    expect([...leases.leases.values()].every((l) => l.owner === coordinator.incarnation)).toBe(true);
    await coordinator.stop();
  });

  it('owns acquired key groups only once they are prepared, and in the same turn as it starts loading them', async () => {
    const seen: string[] = [];
    const ref: { coordinator?: ClusterCoordinator } = {};
    const owns = (): string => String(ref.coordinator?.owns(0));
    const { coordinator } = setup({
      onAcquiring: async () => {
        seen.push(`acquiring owns=${owns()}`);
        // The preparation awaits (a fresh id block): ownership must not show meanwhile.
        await settle();
        seen.push(`prepared owns=${owns()}`);
      },
      onAcquired: () => {
        seen.push(`acquired owns=${owns()}`);
        return Promise.resolve();
      },
    });
    ref.coordinator = coordinator;
    await coordinator.start();
    expect(seen).toEqual(['acquiring owns=false', 'prepared owns=false', 'acquired owns=true']);
  });

  it('heartbeats every interval and no sooner, renewing its leases', async () => {
    const { clock, coordinator, leases } = setup();
    await coordinator.start();
    const first = leases.heartbeats;
    const expiresAt = leases.leases.get(0)!.expiresAt;
    clock.advance(HEARTBEAT_MS - 1);
    await settle();
    expect(leases.heartbeats).toBe(first);
    clock.advance(1);
    await settle();
    expect(leases.heartbeats).toBe(first + 1);
    expect(leases.leases.get(0)!.expiresAt).toBe(expiresAt + HEARTBEAT_MS);
    for (let i = 0; i < 5; i++) {
      clock.advance(HEARTBEAT_MS);
      await settle();
    }
    expect(leases.heartbeats).toBe(first + 6);
    expect(coordinator.owned.size).toBe(KEY_GROUPS);
    await coordinator.stop();
  });

  it('turns unhealthy, then drops its key groups, when heartbeats fail past half the lease', async () => {
    const { clock, coordinator, leases, events } = setup();
    await coordinator.start();
    const first = coordinator.incarnation;
    leases.isDown = true;
    // Failing heartbeats: still healthy and still owning until half the lease has passed without one.
    clock.advance(LEASE_MS / 2);
    await settle();
    expect(coordinator.isHealthy).toBe(true);
    expect(coordinator.owned.size).toBe(KEY_GROUPS);
    clock.advance(HEARTBEAT_MS);
    await settle();
    expect(coordinator.isHealthy).toBe(false);
    expect(coordinator.owned.size).toBe(0);
    expect(events).toEqual([`acquired ${KEY_GROUPS}`, 'lost']);
    expect(coordinator.incarnation).not.toBe(first);
    // Back: the new incarnation takes the key groups once the old leases expired.
    leases.isDown = false;
    for (let i = 0; i < LEASE_MS / HEARTBEAT_MS + 1; i++) {
      clock.advance(HEARTBEAT_MS);
      await settle();
    }
    expect(coordinator.owned.size).toBe(KEY_GROUPS);
    expect(coordinator.isHealthy).toBe(true);
    expect(events).toEqual([`acquired ${KEY_GROUPS}`, 'lost', `acquired ${KEY_GROUPS}`]);
    await coordinator.stop();
  });

  it('a process frozen past its lease drops everything at its next round instead of trusting old leases', async () => {
    const { clock, coordinator, events } = setup();
    await coordinator.start();
    const first = coordinator.incarnation;
    // A freeze: time passes and no timer runs (as under SIGSTOP), then the heartbeat timer fires late.
    await coordinator.serial(() => {
      clock.advance(LEASE_MS + HEARTBEAT_MS);
      return Promise.resolve();
    });
    await settle();
    expect(events[1]).toBe('lost');
    expect(coordinator.incarnation).not.toBe(first);
    await coordinator.stop();
  });

  it('hands everything over and leaves on stop', async () => {
    const { coordinator, leases, events, clock } = setup();
    await coordinator.start();
    await coordinator.stop();
    expect(events).toEqual([`acquired ${KEY_GROUPS}`, `releasing ${KEY_GROUPS}`]);
    expect([...leases.leases.values()].every((l) => l.owner === undefined)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});
