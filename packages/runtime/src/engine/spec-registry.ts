/**
 * The state specs each function type declared (learned from `IncompleteInvocationContext`), kept in memory
 * and durably in the store so that a restart does not cause a storm of incomplete-context round trips.
 */
import { UNSET_TYPENAME } from '@statehouse/protocol';
import type { FunctionType } from '../core/address.js';
import { STORE_TEXT_LIMITS, storeTextProblem } from '../core/store-text.js';
import { FunctionReplyError } from '../errors.js';
import type { ExpireMode, FunctionSpecRecord } from '../store/store.js';

/** The longest state TTL kept, ms (100 years); longer ones are cut to it. */
export const MAX_TTL_MS = 100 * 365.25 * 24 * 3600 * 1000;

/** A spec as a function declared it. */
export interface DeclaredSpec {
  readonly stateName: string;
  readonly typename: string;
  readonly expireMode: ExpireMode;
  readonly expireAfterMs: number;
}

/** Registered specs per function type. States are never unregistered. */
export class SpecRegistry {
  readonly #byType = new Map<FunctionType, Map<string, FunctionSpecRecord>>();

  /** Loads specs read from the store. */
  load(records: readonly FunctionSpecRecord[]): void {
    for (const r of records) this.#specsOf(r.functionType).set(r.stateName, r);
  }

  /** The registered specs of a function type, in registration order. */
  specsOf(type: FunctionType): ReadonlyMap<string, FunctionSpecRecord> {
    return this.#byType.get(type) ?? EMPTY;
  }

  /** The spec of one state, if registered. */
  get(type: FunctionType, stateName: string): FunctionSpecRecord | undefined {
    return this.#byType.get(type)?.get(stateName);
  }

  /**
   * Registers the specs a function reported missing.
   *
   * @returns the records that are new (to persist).
   * @throws {@link FunctionReplyError} `ERR_REPLY_STATE_TYPE_CHANGED` when a known state is declared with
   *   another type (a state's type cannot change), `ERR_REPLY_INVALID_SPEC` for an empty name.
   */
  register(type: FunctionType, declared: readonly DeclaredSpec[]): FunctionSpecRecord[] {
    const added: FunctionSpecRecord[] = [];
    const known = this.#specsOf(type);
    for (const d of declared) {
      if (d.stateName === '') {
        throw new FunctionReplyError('ERR_REPLY_INVALID_SPEC', `${type} declared a state with an empty name`);
      }
      const problem =
        storeTextProblem(d.stateName, STORE_TEXT_LIMITS.stateName) ??
        storeTextProblem(d.typename, STORE_TEXT_LIMITS.typename);
      if (problem !== undefined) {
        throw new FunctionReplyError(
          'ERR_REPLY_INVALID_SPEC',
          `${type} declared state ${JSON.stringify(d.stateName)} (type ${JSON.stringify(d.typename)}), whose name or type ${problem}`,
        );
      }
      if (d.expireMode !== 'NONE' && !(d.expireAfterMs >= 0)) {
        throw new FunctionReplyError(
          'ERR_REPLY_INVALID_SPEC',
          `${type} declared state ${JSON.stringify(d.stateName)} with expiration ${String(d.expireAfterMs)} ms; it must be ≥ 0`,
        );
      }
      const typename = d.typename === '' ? UNSET_TYPENAME : d.typename;
      const existing = known.get(d.stateName);
      if (existing !== undefined) {
        if (existing.typename !== typename) {
          throw new FunctionReplyError(
            'ERR_REPLY_STATE_TYPE_CHANGED',
            `${type} declared state "${d.stateName}" as ${typename}, but it is registered as ${existing.typename}; a state's type cannot change (use a new state name)`,
          );
        }
        continue;
      }
      const record: FunctionSpecRecord = {
        functionType: type,
        stateName: d.stateName,
        typename,
        expireMode: d.expireMode,
        // A TTL beyond a century (e.g. Long.MAX_VALUE from an SDK) means "practically never": keep deadlines
        // in the range every store can hold.
        expireAfterMs: d.expireMode === 'NONE' ? 0 : Math.min(d.expireAfterMs, MAX_TTL_MS),
      };
      known.set(d.stateName, record);
      added.push(record);
    }
    return added;
  }

  #specsOf(type: FunctionType): Map<string, FunctionSpecRecord> {
    let m = this.#byType.get(type);
    if (m === undefined) {
      m = new Map();
      this.#byType.set(type, m);
    }
    return m;
  }
}

const EMPTY: ReadonlyMap<string, FunctionSpecRecord> = new Map();
