/** Applies a {@link CommitBatch} with prepared statements. The caller wraps it in one transaction. */
import type { CommitBatch, IngressResult, StoredMessage } from '../store.js';
import { META_KEYS } from './migrations.js';
import { encodeDeadLetterMessages } from '../common/rows.js';
import type { SqliteStatements } from './statements.js';

/** High-water marks of ids, kept in `meta` so they never go backwards. */
export interface HighWaterMarks {
  readonly maxMessageSeq: number;
  readonly maxTimerId: number;
}

/** What {@link applyCommitBatch} did. */
export interface AppliedBatch {
  readonly ingress: IngressResult[];
  readonly marks: HighWaterMarks;
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
export function applyCommitBatch(
  s: SqliteStatements,
  batch: CommitBatch,
  marks: HighWaterMarks,
): AppliedBatch {
  let maxMessageSeq = marks.maxMessageSeq;
  let maxTimerId = marks.maxTimerId;

  for (const spec of batch.specs) {
    s.upsertSpec.run(spec.functionType, spec.stateName, spec.typename, spec.expireMode, spec.expireAfterMs);
  }

  const ingress: IngressResult[] = [];
  for (const write of batch.ingress) {
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
    if (message.seq > maxMessageSeq) maxMessageSeq = message.seq;
    ingress.push({ seq: message.seq, duplicate: false });
  }

  for (const message of batch.messages) {
    insertMessage(s, message);
    if (message.seq > maxMessageSeq) maxMessageSeq = message.seq;
  }
  for (const seq of batch.consumedMessages) s.deleteMessage.run(seq);
  for (const id of batch.firedTimers) s.deleteTimer.run(id);

  // Cancellations first: they target timers committed earlier, and a cancelled token may be reused by a
  // timer of this batch (the committer already dropped add/cancel pairs that are both in this batch).
  for (const c of batch.cancellations) s.cancelTimer.run(c.sender.type, c.sender.id, c.token);
  for (const t of batch.timers) {
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
    );
    if (t.id > maxTimerId) maxTimerId = t.id;
  }

  for (const w of batch.stateWrites) {
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

  for (const e of batch.egress) {
    s.insertEgress.run(
      e.egressId,
      e.offset,
      e.producer.type,
      e.producer.id,
      e.value.typename,
      e.value.value,
      e.createdAt,
    );
  }
  for (const d of batch.deadLetters) {
    s.insertDeadLetter.run(
      d.messages[0]?.keyGroup ?? null,
      d.address.type,
      d.address.id,
      encodeDeadLetterMessages(d.messages),
      d.reason,
      d.createdAt,
    );
  }

  if (maxMessageSeq !== marks.maxMessageSeq) s.upsertMeta.run(META_KEYS.maxMessageSeq, String(maxMessageSeq));
  if (maxTimerId !== marks.maxTimerId) s.upsertMeta.run(META_KEYS.maxTimerId, String(maxTimerId));
  return { ingress, marks: { maxMessageSeq, maxTimerId } };
}
