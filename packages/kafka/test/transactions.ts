/**
 * The producer's view of an exactly-once Kafka egress, read from the `event` fields of the runtimes' log lines
 * ({@link KAFKA_EGRESS_EVENTS}: position recovered, transaction begun, committed): librdkafka's mock shows the records of
 * aborted transactions to read_committed consumers, so the tests prove the egress from the producer's side.
 */
import { KAFKA_EGRESS_EVENTS } from '@statehouse/kafka';
import { waitFor, type RuntimeProcess } from '@statehouse/testkit';
import type { OutRecord } from './kafka-rig.js';

/** What a runtime logged about the transactions of an exactly-once egress (at debug level). */
export type TxEvent =
  | { readonly kind: 'recovered'; readonly position: number }
  | { readonly kind: 'begun' | 'committed'; readonly from: number; readonly next: number };

/** The transaction events of an egress (by default `pipe/out`) in a runtime's log lines, in order. */
export function txEvents(logs: readonly Record<string, unknown>[], egress = 'pipe/out'): TxEvent[] {
  const events: TxEvent[] = [];
  for (const entry of logs) {
    if (entry['egress'] !== egress) continue;
    if (entry['event'] === KAFKA_EGRESS_EVENTS.recovered)
      events.push({ kind: 'recovered', position: Number(entry['position']) });
    else if (entry['event'] === KAFKA_EGRESS_EVENTS.begun)
      events.push({ kind: 'begun', from: Number(entry['from']), next: Number(entry['next']) });
    else if (entry['event'] === KAFKA_EGRESS_EVENTS.committed)
      events.push({ kind: 'committed', from: Number(entry['from']), next: Number(entry['next']) });
  }
  return events;
}

/** The transaction events of one life of the runtime, read incrementally from its growing log. */
class LifeEvents {
  readonly #logs: readonly Record<string, unknown>[];
  readonly #egress: string;
  #read: number;
  #last: TxEvent | undefined;

  /** @param from - the index in `logs` where the life starts. */
  constructor(logs: readonly Record<string, unknown>[], from: number, egress = 'pipe/out') {
    this.#logs = logs;
    this.#egress = egress;
    this.#read = from;
  }

  last(): TxEvent | undefined {
    this.#catchUp();
    return this.#last;
  }

  #catchUp(): void {
    const events = txEvents(this.#logs.slice(this.#read), this.#egress);
    this.#read = this.#logs.length;
    if (events.length > 0) this.#last = events[events.length - 1];
  }
}

/**
 * SIGKILLs whichever of `runtimes` first has a transaction open (its last event is one begun) at an egress-log offset
 * of at least `pastOffset` (with several cluster members, whoever ships then).
 *
 * @returns the runtime killed.
 */
export async function killDuringTransaction(
  runtimes: RuntimeProcess | readonly RuntimeProcess[],
  pastOffset: number,
  { egress = 'pipe/out', timeoutMs = 90_000 }: { egress?: string; timeoutMs?: number } = {},
): Promise<RuntimeProcess> {
  const lives = (Array.isArray(runtimes) ? runtimes : [runtimes]).map((runtime: RuntimeProcess) => ({
    runtime,
    events: new LifeEvents(runtime.logs, runtime.logs.length, egress),
  }));
  const { runtime } = await waitFor(
    `a transaction open past offset ${pastOffset}`,
    () =>
      lives.find(({ events }) => {
        const last = events.last();
        return last?.kind === 'begun' && last.from >= pastOffset;
      }),
    { timeoutMs, intervalMs: 1 },
  );
  await runtime.kill();
  return runtime;
}

/**
 * Checks the transaction events of the shippers, one life (or lead term) after another: every transaction begins
 * where the previous one committed, and every recovery resumes from what Kafka committed (the last committed
 * transaction's end, or the end of the one in flight when its shipper died, whose commit may have landed). Returns
 * what is wrong, and the offset ranges of transactions that were in flight when a life ended (on the mock their
 * records may show twice).
 */
export function checkTransactions(events: readonly TxEvent[]): {
  problems: string[];
  inFlight: [number, number][];
} {
  const problems: string[] = [];
  const inFlight: [number, number][] = [];
  let committedUpTo: number | undefined;
  let open: { from: number; next: number } | undefined;
  let expectedFrom: number | undefined;
  for (const e of events) {
    if (e.kind === 'recovered') {
      // A new life (a restart, or a retry after a failure): Kafka's committed position.
      const allowed = new Set<number | undefined>([committedUpTo, open?.next]);
      if (committedUpTo !== undefined && !allowed.has(e.position))
        problems.push(
          `recovered ${e.position}, but Kafka had committed up to ${committedUpTo} (in flight: ${open?.next})`,
        );
      if (open !== undefined) inFlight.push([open.from, open.next]);
      open = undefined;
      expectedFrom = e.position;
      committedUpTo = e.position;
    } else if (e.kind === 'begun') {
      if (open !== undefined)
        problems.push(`transaction ${e.from}-${e.next} begun while ${open.from}-${open.next} was open`);
      if (expectedFrom !== undefined && e.from !== expectedFrom)
        problems.push(`transaction begun at ${e.from}, expected ${expectedFrom}`);
      open = { from: e.from, next: e.next };
    } else {
      if (open === undefined || open.from !== e.from)
        problems.push(`committed ${e.from}-${e.next} without begin`);
      open = undefined;
      committedUpTo = e.next;
      expectedFrom = e.next;
    }
  }
  return { problems, inFlight };
}

/**
 * The egress-log offsets seen more than once in `out` that no transaction in flight at a shipper's end explains
 * (on the mock, only an aborted transaction's records may show twice).
 */
export function unexplainedDuplicates(
  out: readonly OutRecord[],
  inFlight: readonly (readonly [number, number])[],
): number[] {
  const seen = new Map<string, number>();
  for (const r of out) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => Number(id.split('/').pop()));
  return twice.filter((offset) => !inFlight.some(([from, next]) => offset >= from && offset < next));
}

/**
 * The log lines of several processes as one sequence ordered by time (pino's `time`, ms; a process's own lines keep
 * their order), for the transaction events of shippers that followed each other.
 */
export function mergedLogs(
  processes: readonly { readonly logs: readonly Record<string, unknown>[] }[],
): Record<string, unknown>[] {
  const tagged = processes.flatMap((p, proc) =>
    p.logs.map((entry, line) => ({ entry, time: Number(entry['time']), proc, line })),
  );
  tagged.sort((x, y) => x.time - y.time || x.proc - y.proc || x.line - y.line);
  return tagged.map((t) => t.entry);
}
