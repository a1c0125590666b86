/**
 * Key-group wake-ups over LISTEN/NOTIFY. A fenced commit calls `pg_notify` inside its transaction, so a
 * notification is delivered only if the commit is, and only after it.
 */
import type { Logger } from 'pino';

import type { NotificationListener } from './notification-listener.js';

/** The NOTIFY channel of key-group wake-ups. */
export const KEY_GROUPS_CHANNEL = 'statehouse_key_groups';

/** The NOTIFY channel that announces egress ids with newly committed records (a JSON array of ids). */
export const EGRESS_CHANNEL = 'statehouse_egress';

/** PostgreSQL refuses payloads of 8000 bytes or more; stay well below. */
const MAX_PAYLOAD_CHARS = 7_000;

/** What one notification names: key groups to reload whole, and messages to load by seq. */
export interface KeyGroupWake {
  /** Key groups that got messages (every key group named in the payload). */
  readonly keyGroups: readonly number[];
  /** The new messages, by key group, when the payload names them (`kg@seq` items). */
  readonly seqs: readonly { readonly keyGroup: number; readonly seq: number }[];
}

/**
 * Encodes wake-ups as comma-separated payloads, each short enough for `pg_notify`: `kg@seq` for a new message
 * (the owner loads just that row) and `kg` for a key group to reload whole.
 *
 * @param messages - new messages (key group and seq).
 * @param keyGroups - further key groups to wake, in any order, repeats allowed.
 * @returns the payloads (none when there is nothing to announce).
 */
export function encodeKeyGroupPayloads(
  keyGroups: Iterable<number>,
  messages: Iterable<{ readonly keyGroup: number; readonly seq: number }> = [],
): string[] {
  const parts = [...new Set(keyGroups)].sort((a, b) => a - b).map(String);
  for (const m of messages) parts.push(`${m.keyGroup}@${m.seq}`);
  const payloads: string[] = [];
  let current = '';
  for (const part of parts) {
    if (current !== '' && current.length + 1 + part.length > MAX_PAYLOAD_CHARS) {
      payloads.push(current);
      current = '';
    }
    current = current === '' ? part : `${current},${part}`;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}

/**
 * Decodes a payload of {@link encodeKeyGroupPayloads}; anything malformed is skipped.
 *
 * @param payload - the notification payload.
 * @returns the key groups and messages it names.
 */
export function decodeKeyGroupPayload(payload: string): KeyGroupWake {
  const keyGroups = new Set<number>();
  const seqs: { keyGroup: number; seq: number }[] = [];
  for (const part of payload.split(',')) {
    const at = part.indexOf('@');
    const keyGroup = Number(at < 0 ? part : part.slice(0, at));
    if (part === '' || !Number.isSafeInteger(keyGroup) || keyGroup < 0) continue;
    if (at >= 0) {
      const seq = Number(part.slice(at + 1));
      if (!Number.isSafeInteger(seq)) continue;
      seqs.push({ keyGroup, seq });
    }
    keyGroups.add(keyGroup);
  }
  return { keyGroups: [...keyGroups], seqs };
}

/**
 * Subscribes to key-group wake-ups on the store's LISTEN connection.
 *
 * @param listener - the store's LISTEN connection.
 * @param onKeyGroups - called with the key groups of each notification; an exception it throws is logged.
 * @param logger - where a throwing callback is reported.
 * @param onResubscribed - called when the subscription is back after its connection was lost (notifications
 *   sent meanwhile are gone: the subscriber must reload what they would have named).
 * @returns a function that unsubscribes.
 */
export function listenKeyGroups(
  listener: NotificationListener,
  onKeyGroups: (wake: KeyGroupWake) => void,
  logger: Logger | undefined,
  onResubscribed?: () => void,
): Promise<() => Promise<void>> {
  return listener.listen(
    KEY_GROUPS_CHANNEL,
    (payload) => {
      try {
        const wake = decodeKeyGroupPayload(payload);
        if (wake.keyGroups.length > 0) onKeyGroups(wake);
      } catch (err) {
        logger?.error({ err }, 'key-group wake-up callback failed');
      }
    },
    onResubscribed,
  );
}

/**
 * Subscribes to egress announcements (egress ids with newly committed records, from any process).
 *
 * @returns a function that unsubscribes.
 */
export function listenEgress(
  listener: NotificationListener,
  onEgress: (egressIds: readonly string[]) => void,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  return listener.listen(EGRESS_CHANNEL, (payload) => {
    let ids: unknown;
    try {
      ids = JSON.parse(payload);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    try {
      onEgress(ids.filter((id): id is string => typeof id === 'string'));
    } catch (err) {
      logger?.error({ err }, 'egress announcement callback failed');
    }
  });
}
