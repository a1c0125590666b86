/** Applies a {@link CommitBatch} with prepared statements. The caller wraps it in one transaction. */
import type { CommitBatch, IngressResult, StoredMessage } from '../store.js';
import { META_KEYS } from './migrations.js';
import { deadLetterGone, encodeDeadLetterMessages } from '../common/rows.js';
import type { SqliteStatements } from './statements.js';

/** High-water marks of ids, kept in `meta` so they never go backwards. */
export interface HighWaterMarks {
  readonly maxMessageSeq: number;
  readonly maxTimerId: number;
}

/**
 * The high-water marks and the message seq mark `meta` holds. That one may trail `maxMessageSeq` while the
 * message of that seq is still in `messages` (where opening the store finds it): writing `meta` in every commit
 * that enqueues would dirty one more page, written to the WAL, per commit.
 */
export interface CommitMarks extends HighWaterMarks {
  readonly recordedMessageSeq: number;
}

/** What {@link applyCommitBatch} did. */
export interface AppliedBatch {
  readonly ingress: IngressResult[];
  readonly marks: CommitMarks;
}

function insertMessage(s: SqliteStatements, m: StoredMessage): void {
  s.insertMessage.run(
    m.seq,
    m.keyGroup,
    m.target.type,
    m.target.id,
    m.caller?.type ?? null,
    m.caller?.id ?? null,
    m.argument.typename,
    m.argument.value,
    m.enqueuedAt,
    m.traceparent ?? null,
  );
}

/**
 * Applies every part of a batch, in the order documented on {@link CommitBatch}. Must run inside a
 * transaction: a throw leaves a partly applied batch that only the rollback undoes.
 *
 * @param s - the connection's statements.
 * @param batch - the effects to apply.
 * @param marks - the high-water marks before this batch.
 * @returns the ingress results and the new high-water marks (already written to `meta`).
 */
export function applyCommitBatch(s: SqliteStatements, batch: CommitBatch, marks: CommitMarks): AppliedBatch {
  for (const spec of batch.specs) {
    s.upsertSpec.run(spec.functionType, spec.stateName, spec.typename, spec.expireMode, spec.expireAfterMs);
  }
  const { ingress, maxSeq } = applyIngress(s, batch.ingress, marks.maxMessageSeq);
  const maxMessageSeq = insertMessages(s, batch.messages, maxSeq);
  for (const seq of batch.consumedMessages) s.deleteMessage.run(seq);
  for (const id of batch.firedTimers) s.deleteTimer.run(id);

  // Cancellations first: they target timers committed earlier, and a cancelled token may be reused by a
  // timer of this batch (the committer already dropped add/cancel pairs that are both in this batch).
  for (const c of batch.cancellations) s.cancelTimer.run(c.sender.type, c.sender.id, c.token);
  const maxTimerId = insertTimers(s, batch.timers, marks.maxTimerId);

  applyStateWrites(s, batch.stateWrites);
  insertEgress(s, batch.egress);
  insertDeadLetters(s, batch.deadLetters);
  upsertConnectorPositions(s, batch.positions);
  removeDeadLetters(s, batch.removedDeadLetters);

  const recordedMessageSeq = recordMessageSeq(s, batch, maxMessageSeq, marks.recordedMessageSeq);
  if (maxTimerId !== marks.maxTimerId) s.upsertMeta.run(META_KEYS.maxTimerId, String(maxTimerId));
  return { ingress, marks: { maxMessageSeq, maxTimerId, recordedMessageSeq } };
}

/**
 * Keeps the highest message seq from going backwards: opening the store takes the highest of `meta`'s mark and
 * the seqs in `messages` (and `ingress_keys`), so `meta` must hold it only once its message is gone. Only
 * consuming deletes messages, so that is when the mark is written (about once per idle moment, instead of in
 * every commit that enqueues).
 *
 * @returns the mark `meta` holds now.
 */
function recordMessageSeq(
  s: SqliteStatements,
  batch: CommitBatch,
  maxMessageSeq: number,
  recorded: number,
): number {
  if (recorded >= maxMessageSeq || !batch.consumedMessages.includes(maxMessageSeq)) return recorded;
  s.upsertMeta.run(META_KEYS.maxMessageSeq, String(maxMessageSeq));
  return maxMessageSeq;
}

/** Enqueues the ingress messages whose idempotency key is new. @returns their results and the highest seq. */
function applyIngress(
  s: SqliteStatements,
  writes: CommitBatch['ingress'],
  maxMessageSeq: number,
): { ingress: IngressResult[]; maxSeq: number } {
  const ingress: IngressResult[] = [];
  let maxSeq = maxMessageSeq;
  for (const write of writes) {
    const { message, idempotencyKey } = write;
    if (idempotencyKey !== undefined) {
      // Claim the key first: when it exists (from an earlier commit or earlier in this batch) nothing is enqueued.
      const claimed = s.insertIngressKey.run(idempotencyKey, message.seq, message.enqueuedAt).changes === 1;
      if (!claimed) {
        const seq = s.selectIngressKeySeq.get(idempotencyKey);
        ingress.push({ seq: seq ?? message.seq, duplicate: true });
        continue;
      }
    }
    insertMessage(s, message);
    if (message.seq > maxSeq) maxSeq = message.seq;
    ingress.push({ seq: message.seq, duplicate: false });
  }
  return { ingress, maxSeq };
}

/** @returns the highest seq, of these messages and `maxMessageSeq`. */
function insertMessages(
  s: SqliteStatements,
  messages: CommitBatch['messages'],
  maxMessageSeq: number,
): number {
  let maxSeq = maxMessageSeq;
  for (const message of messages) {
    insertMessage(s, message);
    if (message.seq > maxSeq) maxSeq = message.seq;
  }
  return maxSeq;
}

/** @returns the highest id, of these timers and `maxTimerId`. */
function insertTimers(s: SqliteStatements, timers: CommitBatch['timers'], maxTimerId: number): number {
  let maxId = maxTimerId;
  for (const t of timers) {
    s.insertTimer.run(
      t.id,
      t.keyGroup,
      t.fireAt,
      t.sender.type,
      t.sender.id,
      t.token ?? null,
      t.target.type,
      t.target.id,
      t.argument.typename,
      t.argument.value,
      t.traceparent ?? null,
    );
    if (t.id > maxId) maxId = t.id;
  }
  return maxId;
}

function applyStateWrites(s: SqliteStatements, writes: CommitBatch['stateWrites']): void {
  for (const w of writes) {
    if (w.value === undefined) {
      s.deleteState.run(w.address.type, w.address.id, w.name);
    } else {
      s.upsertState.run(
        w.address.type,
        w.address.id,
        w.name,
        w.keyGroup,
        w.value.typename,
        w.value.value,
        w.expiresAt ?? null,
      );
    }
  }
}

function insertEgress(s: SqliteStatements, records: CommitBatch['egress']): void {
  for (const e of records) {
    s.insertEgress.run(
      e.egressId,
      e.offset,
      e.producer.type,
      e.producer.id,
      e.value.typename,
      e.value.value,
      e.createdAt,
      e.traceparent ?? null,
    );
  }
}

function removeDeadLetters(s: SqliteStatements, ids: readonly number[]): void {
  for (const id of ids) {
    if (s.deleteDeadLetter.run(id).changes === 0) throw deadLetterGone(id);
  }
}

function insertDeadLetters(s: SqliteStatements, deadLetters: CommitBatch['deadLetters']): void {
  for (const d of deadLetters) {
    s.insertDeadLetter.run(
      d.messages[0]?.keyGroup ?? null,
      d.address.type,
      d.address.id,
      encodeDeadLetterMessages(d.messages),
      d.reason,
      d.createdAt,
    );
  }
}

function upsertConnectorPositions(s: SqliteStatements, positions: CommitBatch['positions']): void {
  for (const p of positions) s.upsertConnectorPosition.run(p.connector, p.source, p.part, p.position);
}
