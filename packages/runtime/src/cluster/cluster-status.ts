/**
 * A read-only report of a cluster for operators (`statehouse cluster status`): members, key groups per
 * member, and what is pending in each member's key groups: messages and timers, and the backlog per function
 * type with the age of its oldest message.
 */
import postgres from 'postgres';
import { DEFAULT_KEY_GROUPS } from '../core/address.js';
import { RUNTIME_OPTION_DEFAULTS } from '../runtime-options.js';

/** The pending messages of one function type in some key groups. */
export interface FunctionTypeBacklog {
  readonly functionType: string;
  /** Messages waiting in the store. */
  readonly messages: number;
  /** Age of the oldest of them, ms (database clock against the enqueuing process's clock; never below 0). */
  readonly oldestAgeMs: number;
}

/** One member (one incarnation of a node id) in the report. */
export interface MemberStatus {
  readonly nodeId: string;
  /** The process start that holds its leases; a restart with the same node id is a new incarnation. */
  readonly incarnation: string;
  readonly advertise: string;
  /** Milliseconds since its last heartbeat. */
  readonly heartbeatAgeMs: number;
  /** Whether its heartbeat is younger than `leaseMs`. */
  readonly live: boolean;
  readonly startedAt: string;
  /** Key groups whose unexpired lease it holds. */
  readonly keyGroups: number;
  /** Messages waiting in its key groups. */
  readonly pendingMessages: number;
  /** Age of the oldest message waiting in its key groups, ms; 0 when none waits. */
  readonly oldestMessageAgeMs: number;
  /** The messages waiting in its key groups per function type, largest first. */
  readonly backlog: readonly FunctionTypeBacklog[];
  /** Delayed messages waiting in its key groups. */
  readonly pendingTimers: number;
}

/** Key groups nobody serves and what waits in them. */
export interface UnownedStatus {
  readonly keyGroups: number;
  readonly pendingMessages: number;
  /** Age of the oldest message waiting in them, ms; 0 when none waits. */
  readonly oldestMessageAgeMs: number;
  /** The messages waiting in them per function type, largest first. */
  readonly backlog: readonly FunctionTypeBacklog[];
}

/** The whole report. */
export interface ClusterStatus {
  readonly members: readonly MemberStatus[];
  /**
   * Key groups nobody serves (lease expired, never leased, or held by an incarnation that is no member) and the
   * messages waiting in them.
   */
  readonly unowned: UnownedStatus;
  readonly totalKeyGroups: number;
}

/** Key groups by owner: the unexpired leases held by an incarnation that is a member. */
function ownersOf(
  members: postgres.RowList<postgres.Row[]>,
  leases: postgres.RowList<postgres.Row[]>,
  now: number,
): Map<number, string> {
  // A lease of an incarnation with no member row (forgotten, or a bug) serves nobody: it counts as unowned.
  const incarnations = new Set(members.map((m) => String(m['incarnation'])));
  const ownerOf = new Map<number, string>();
  for (const l of leases) {
    const owner = l['owner'] === null ? undefined : String(l['owner']);
    if (owner !== undefined && incarnations.has(owner) && Number(l['expires_at']) > now)
      ownerOf.set(Number(l['key_group']), owner);
  }
  return ownerOf;
}

/** Sums the `n` of rows by the owner of their key group (`''` for unowned key groups). */
function tallyByOwner(
  rows: postgres.RowList<postgres.Row[]>,
  ownerOf: ReadonlyMap<number, string>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const owner = ownerOf.get(Number(r['key_group'])) ?? '';
    out.set(owner, (out.get(owner) ?? 0) + Number(r['n']));
  }
  return out;
}

/** What waits in the key groups of one owner. */
type OwnerBacklog = Omit<UnownedStatus, 'keyGroups'>;

/** Messages of one function type and the enqueue time of the oldest, summed over key groups. */
interface TypeTally {
  messages: number;
  oldest: number;
}

const NO_BACKLOG: OwnerBacklog = Object.freeze({ pendingMessages: 0, oldestMessageAgeMs: 0, backlog: [] });

/**
 * The backlog of each owner (`''` for unowned key groups) from rows of `key_group`, `target_type`, `n` and
 * `oldest` (epoch ms of the oldest message).
 */
function backlogByOwner(
  rows: postgres.RowList<postgres.Row[]>,
  ownerOf: ReadonlyMap<number, string>,
  now: number,
): Map<string, OwnerBacklog> {
  const byOwner = new Map<string, Map<string, TypeTally>>();
  for (const r of rows) {
    const owner = ownerOf.get(Number(r['key_group'])) ?? '';
    const types = byOwner.get(owner) ?? new Map<string, TypeTally>();
    byOwner.set(owner, types);
    const type = String(r['target_type']);
    const sum = types.get(type) ?? { messages: 0, oldest: Infinity };
    types.set(type, {
      messages: sum.messages + Number(r['n']),
      oldest: Math.min(sum.oldest, Number(r['oldest'])),
    });
  }
  const out = new Map<string, OwnerBacklog>();
  for (const [owner, types] of byOwner) {
    const backlog = [...types]
      .map(([functionType, t]) => ({
        functionType,
        messages: t.messages,
        oldestAgeMs: Math.max(0, now - t.oldest),
      }))
      .sort((a, b) => b.messages - a.messages || a.functionType.localeCompare(b.functionType));
    out.set(owner, {
      pendingMessages: backlog.reduce((n, b) => n + b.messages, 0),
      oldestMessageAgeMs: Math.max(0, ...backlog.map((b) => b.oldestAgeMs)),
      backlog,
    });
  }
  return out;
}

/**
 * Reads the status of the cluster stored at `url`.
 *
 * @param url - `postgres://…` of the cluster's database.
 * @param leaseMs - lease timeout used to call a member live. @default 10000 (the runtime's `leaseMs` default)
 * @throws when the database cannot be reached or has no Statehouse schema.
 */
export async function readClusterStatus(
  url: string,
  leaseMs = RUNTIME_OPTION_DEFAULTS.leaseMs,
): Promise<ClusterStatus> {
  const sql = postgres(url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
    types: { bigint: postgres.BigInt },
  });
  try {
    const now = Number(
      (await sql`SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now`)[0]!['now'],
    );
    const meta = await sql`SELECT value FROM meta WHERE key = 'key_groups'`;
    const totalKeyGroups = Number(meta[0]?.['value'] ?? DEFAULT_KEY_GROUPS);
    const members =
      await sql`SELECT node_id, incarnation, advertise, heartbeat_at, started_at FROM members ORDER BY node_id, started_at`;
    const leases = await sql`SELECT key_group, owner, expires_at FROM leases`;
    const messages = await sql`
      SELECT key_group, target_type, count(*) AS n, min(enqueued_at) AS oldest
      FROM messages GROUP BY key_group, target_type`;
    const timers = await sql`SELECT key_group, count(*) AS n FROM timers GROUP BY key_group`;
    const ownerOf = ownersOf(members, leases, now);
    const backlogs = backlogByOwner(messages, ownerOf, now);
    const pendingTimers = tallyByOwner(timers, ownerOf);
    const groups = new Map<string, number>();
    for (const owner of ownerOf.values()) groups.set(owner, (groups.get(owner) ?? 0) + 1);
    return {
      totalKeyGroups,
      members: members.map((m) => {
        const incarnation = String(m['incarnation']);
        const age = now - Number(m['heartbeat_at']);
        return {
          nodeId: String(m['node_id']),
          incarnation,
          advertise: String(m['advertise']),
          heartbeatAgeMs: age,
          live: age < leaseMs,
          startedAt: new Date(Number(m['started_at'])).toISOString(),
          keyGroups: groups.get(incarnation) ?? 0,
          ...(backlogs.get(incarnation) ?? NO_BACKLOG),
          pendingTimers: pendingTimers.get(incarnation) ?? 0,
        };
      }),
      unowned: { keyGroups: totalKeyGroups - ownerOf.size, ...(backlogs.get('') ?? NO_BACKLOG) },
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}
