/**
 * Applies a {@link CommitBatch} inside one transaction: the set-based statements of `commit-statements.ts`,
 * sent as one pipeline (no statement waits for the previous one's answer), so a commit costs about three round
 * trips (BEGIN, the pipeline, COMMIT) whatever its size. Empty parts send nothing.
 */
import { StoreError } from '../../errors.js';
import { deadLetterGone } from '../common/rows.js';
import type { Fence } from '../cluster-store.js';
import type {
  CommitBatch,
  ConnectorPosition,
  FunctionSpecRecord,
  IngressResult,
  StateWrite,
} from '../store.js';
import { fenceCheck } from './cluster.js';
import {
  appendEgress,
  cancelTimers,
  deleteMessages,
  deleteState,
  deleteTimers,
  insertDeadLetters,
  deleteDeadLetters,
  insertEgressAtOffsets,
  insertIngressAndMessages,
  insertMessages,
  insertTimers,
  notifyKeyGroups,
  raiseIdCounters,
  selectIngressKeys,
  upsertConnectorPositions,
  upsertSpecs,
  upsertState,
} from './commit-statements.js';
import type { IngressKeyRow, MessageInsert, Statement } from './commit-statements.js';
import { ID_COUNTERS } from './migrations.js';
import { EGRESS_CHANNEL, encodeKeyGroupPayloads } from './notify.js';
import { STORE_ERROR_CODES } from '../common/store-errors.js';
import type { TxSql } from './sql.js';

/** How a commit runs. */
export interface CommitMode {
  /**
   * Cluster mode: verify these leases first, assign egress offsets from the egress heads, and announce the key
   * groups that received messages or timers. Absent: single-process mode, where egress offsets and ids come
   * from the engine and `id_counters` is raised to them.
   */
  readonly fence: Fence | undefined;
}

/** Last write wins: one entry per key, in the order of each key's last write. */
function lastWriteWins<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    byKey.delete(key);
    byKey.set(key, item);
  }
  return [...byKey.values()];
}

const stateKey = (w: StateWrite): string => JSON.stringify([w.address.type, w.address.id, w.name]);
const specKey = (s: FunctionSpecRecord): string => JSON.stringify([s.functionType, s.stateName]);
const positionKey = (p: ConnectorPosition): string => JSON.stringify([p.connector, p.source, p.part]);

/** How each ingress write is resolved once the database answered. */
type IngressPlan =
  | { readonly kind: 'plain'; readonly seq: number }
  | { readonly kind: 'claim'; readonly key: string; readonly seq: number }
  | { readonly kind: 'repeat'; readonly firstIndex: number };

function planIngress(batch: CommitBatch): {
  plans: IngressPlan[];
  inserts: MessageInsert[];
  hasKeys: boolean;
} {
  const plans: IngressPlan[] = [];
  const inserts: MessageInsert[] = [];
  const firstIndexOfKey = new Map<string, number>();
  batch.ingress.forEach(({ message, idempotencyKey }, index) => {
    if (idempotencyKey === undefined) {
      plans.push({ kind: 'plain', seq: message.seq });
      inserts.push({ message, idempotencyKey: null });
      return;
    }
    const firstIndex = firstIndexOfKey.get(idempotencyKey);
    if (firstIndex !== undefined) {
      // A repeat inside the batch is a duplicate of the first write with that key, whatever becomes of it.
      plans.push({ kind: 'repeat', firstIndex });
      return;
    }
    firstIndexOfKey.set(idempotencyKey, index);
    plans.push({ kind: 'claim', key: idempotencyKey, seq: message.seq });
    inserts.push({ message, idempotencyKey });
  });
  for (const message of batch.messages) inserts.push({ message, idempotencyKey: null });
  return { plans, inserts, hasKeys: firstIndexOfKey.size > 0 };
}

async function resolveIngress(
  tx: TxSql,
  plans: readonly IngressPlan[],
  rows: readonly IngressKeyRow[],
): Promise<IngressResult[]> {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  // A key claimed by a concurrent transaction after this statement's snapshot: read it now that it committed.
  const unresolved = rows.filter((r) => !r.claimed && r.existing_seq === null).map((r) => r.key);
  const lateSeqs = new Map<string, number>();
  if (unresolved.length > 0) {
    for (const row of await selectIngressKeys(tx, unresolved)) lateSeqs.set(row.key, row.seq);
  }
  const results: IngressResult[] = [];
  for (const plan of plans) {
    if (plan.kind === 'plain') {
      results.push({ seq: plan.seq, duplicate: false });
    } else if (plan.kind === 'claim') {
      const row = byKey.get(plan.key);
      results.push(
        row?.claimed === true
          ? { seq: plan.seq, duplicate: false }
          : { seq: row?.existing_seq ?? lateSeqs.get(plan.key) ?? plan.seq, duplicate: true },
      );
    } else {
      const first = results[plan.firstIndex];
      results.push({ seq: first?.seq ?? 0, duplicate: true });
    }
  }
  return results;
}

function maxOf(values: Iterable<number>): number | undefined {
  let max: number | undefined;
  for (const value of values) if (max === undefined || value > max) max = value;
  return max;
}

/**
 * Applies every part of a batch, in the order documented on {@link CommitBatch}. Must run inside a
 * transaction: a throw leaves a partly applied batch that only the rollback undoes.
 *
 * @param tx - the transaction.
 * @param batch - the effects to apply.
 * @param mode - single-process or fenced.
 * @param where - the store, for error messages.
 * @returns the ingress results.
 * @throws {@link StoreError} `ERR_STORE_FENCED` when the fence does not hold (the caller must roll back).
 */
export async function applyCommitBatch(
  tx: TxSql,
  batch: CommitBatch,
  mode: CommitMode,
  where: string,
): Promise<IngressResult[]> {
  const { fence } = mode;
  const fenceLeases = fence === undefined ? [] : [...fence.leases].sort(([a], [b]) => a - b);
  const pipeline: Promise<unknown>[] = [];
  const send: Send = (statement) => {
    // `execute()` queues it on the transaction's connection now, so statements go out in this order.
    pipeline.push(statement.execute());
  };

  // First, so the lease rows are share-locked for the rest of the transaction: nobody can take them until we end.
  const fenceRows =
    fence !== undefined && fenceLeases.length > 0
      ? fenceCheck(tx, fence.incarnation, fenceLeases)
      : undefined;
  if (fenceRows !== undefined) send(fenceRows);
  const { plans, inserts, ingressRows } = sendEffects(tx, batch, fence, send);
  const removed =
    batch.removedDeadLetters.length > 0 ? deleteDeadLetters(tx, batch.removedDeadLetters) : undefined;
  if (removed !== undefined) send(removed);
  if (fence === undefined) sendIdCounterRaises(tx, batch, inserts, send);
  else sendAnnouncements(tx, batch, inserts, send);

  const settled = await Promise.allSettled(pipeline);
  if (fenceRows !== undefined && settled[0]?.status === 'fulfilled') {
    checkFenceHeld(await fenceRows, fence!, fenceLeases, where);
  }
  // The first failure is the cause; statements after it only report the aborted transaction.
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  if (removed !== undefined) checkDeadLettersRemoved(batch.removedDeadLetters, await removed);
  return resolveIngress(tx, plans, ingressRows === undefined ? [] : await ingressRows);
}

/** Throws (rolling the transaction back) when a dead letter to remove was not there: replayed at most once. */
function checkDeadLettersRemoved(ids: readonly number[], rows: readonly { id: number }[]): void {
  const found = new Set(rows.map((r) => Number(r.id)));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw deadLetterGone(missing);
}

/** Queues a statement on the transaction's pipeline. */
type Send = (statement: { execute(): Promise<unknown> }) => void;

/** Sends the statements of the batch's effects, in the order documented on {@link CommitBatch}. */
function sendEffects(
  tx: TxSql,
  batch: CommitBatch,
  fence: Fence | undefined,
  send: Send,
): { plans: IngressPlan[]; inserts: MessageInsert[]; ingressRows: Statement<IngressKeyRow> | undefined } {
  const specs = lastWriteWins(batch.specs, specKey);
  if (specs.length > 0) send(upsertSpecs(tx, specs));

  const { plans, inserts, hasKeys } = planIngress(batch);
  const ingressRows = hasKeys ? insertIngressAndMessages(tx, inserts) : undefined;
  if (ingressRows !== undefined) send(ingressRows);
  else if (inserts.length > 0) send(insertMessages(tx, inserts));
  if (batch.consumedMessages.length > 0) send(deleteMessages(tx, batch.consumedMessages));
  if (batch.firedTimers.length > 0) send(deleteTimers(tx, batch.firedTimers));
  // Cancellations before timer inserts: a cancelled token may be reused by a timer of this batch.
  if (batch.cancellations.length > 0) send(cancelTimers(tx, batch.cancellations));
  if (batch.timers.length > 0) send(insertTimers(tx, batch.timers));

  const writes = lastWriteWins(batch.stateWrites, stateKey);
  const upserts = writes.filter((w) => w.value !== undefined);
  const deletes = writes.filter((w) => w.value === undefined);
  if (upserts.length > 0) send(upsertState(tx, upserts));
  if (deletes.length > 0) send(deleteState(tx, deletes));

  if (batch.egress.length > 0)
    send(fence === undefined ? insertEgressAtOffsets(tx, batch.egress) : appendEgress(tx, batch.egress));
  if (batch.deadLetters.length > 0) send(insertDeadLetters(tx, batch.deadLetters));
  const positions = lastWriteWins(batch.positions, positionKey);
  if (positions.length > 0) send(upsertConnectorPositions(tx, positions));
  return { plans, inserts, ingressRows };
}

/** Single-process mode: raises `id_counters` to the highest message seq and timer id of the batch. */
function sendIdCounterRaises(
  tx: TxSql,
  batch: CommitBatch,
  inserts: readonly MessageInsert[],
  send: Send,
): void {
  const raises = new Map<string, number>();
  const maxSeq = maxOf(inserts.map((i) => i.message.seq));
  const maxTimerId = maxOf(batch.timers.map((t) => t.id));
  if (maxSeq !== undefined) raises.set(ID_COUNTERS.messageSeq, maxSeq);
  if (maxTimerId !== undefined) raises.set(ID_COUNTERS.timerId, maxTimerId);
  if (raises.size > 0) send(raiseIdCounters(tx, raises));
}

/** Cluster mode: announces the key groups that received messages or timers, and the egresses written. */
function sendAnnouncements(
  tx: TxSql,
  batch: CommitBatch,
  inserts: readonly MessageInsert[],
  send: Send,
): void {
  const payloads = encodeKeyGroupPayloads(
    batch.timers.map((t) => t.keyGroup),
    inserts.map((i) => ({ keyGroup: i.message.keyGroup, seq: i.message.seq })),
  );
  if (payloads.length > 0) send(notifyKeyGroups(tx, payloads));
  // Wakes long-polling egress readers and the webhook shipper on every process (delivered on commit only).
  const egressIds = [...new Set(batch.egress.map((e) => e.egressId))];
  const announcement = JSON.stringify(egressIds);
  if (egressIds.length > 0 && announcement.length < 7_000)
    send(tx`SELECT pg_notify(${EGRESS_CHANNEL}, ${announcement})`);
}

/** @throws {@link StoreError} `ERR_STORE_FENCED` when the fence check found fewer leases than the fence holds. */
function checkFenceHeld(
  rows: readonly { key_group: number }[],
  fence: Fence,
  fenceLeases: readonly (readonly [number, number])[],
  where: string,
): void {
  if (rows.length >= fenceLeases.length) return;
  const heldKeyGroups = new Set(rows.map((r) => r.key_group));
  const lost = fenceLeases
    .filter(([keyGroup]) => !heldKeyGroups.has(keyGroup))
    .map(([kg, epoch]) => `${kg}@${epoch}`);
  throw new StoreError(
    STORE_ERROR_CODES.fenced,
    `Commit of incarnation "${fence.incarnation}" to ${where} was fenced: it no longer holds the lease of key group(s) ` +
      `${lost.join(', ')} (key group@epoch): another node took them, or they expired. Nothing was applied. ` +
      'Drop the cached state of those key groups and recover them from the store if they are acquired again.',
  );
}
