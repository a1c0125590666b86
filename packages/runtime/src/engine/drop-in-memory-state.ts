/**
 * Drops everything the engine holds in memory — mailboxes and invocations in flight, submitted but uncommitted
 * effects, armed timers, cached state — so that it can be loaded again from the store (after a refused group,
 * a full disk, or a loss of key-group ownership). What is committed is untouched.
 */
import type { StoreError } from '../errors.js';
import type { Committer } from './committer.js';
import type { Dispatcher } from './dispatcher.js';
import type { StateCache } from './state-cache.js';
import type { TimerService } from './timer-service.js';

/** The engine parts that hold state in memory. */
export interface InMemoryEngine {
  readonly dispatcher: Dispatcher;
  readonly committer: Committer;
  readonly timers: TimerService;
  readonly cache: StateCache;
}

/**
 * Drops the engine's in-memory state; the caller reloads from the store and then resumes the committer.
 *
 * @param reason - what submissions not committed yet are rejected with.
 */
export async function dropInMemoryState(engine: InMemoryEngine, reason: StoreError): Promise<void> {
  await engine.dispatcher.reset();
  // Work submitted on the dropped state is void; a commit in progress ends before anything reloads.
  await engine.committer.abandon(reason);
  engine.timers.clear();
  engine.cache.clear();
}
