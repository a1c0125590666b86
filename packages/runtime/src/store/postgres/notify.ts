/**
 * Key-group wake-ups over LISTEN/NOTIFY. A fenced commit calls `pg_notify` inside its transaction, so a
 * notification is delivered only if the commit is, and only after it.
 */
import type { Logger } from 'pino';

import type { Sql } from './sql.js';

/** The NOTIFY channel of key-group wake-ups. */
export const KEY_GROUPS_CHANNEL = 'statehouse_key_groups';

/** PostgreSQL refuses payloads of 8000 bytes or more; stay well below. */
const MAX_PAYLOAD_CHARS = 7_000;

/**
 * Encodes key groups as comma-separated payloads, each short enough for `pg_notify`.
 *
 * @param keyGroups - key groups, in any order, repeats allowed.
 * @returns payloads of sorted, distinct key groups (none for no key groups).
 */
export function encodeKeyGroupPayloads(keyGroups: Iterable<number>): string[] {
  const sorted = [...new Set(keyGroups)].sort((a, b) => a - b);
  const payloads: string[] = [];
  let current = '';
  for (const keyGroup of sorted) {
    const part = String(keyGroup);
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
 * Decodes a payload of {@link encodeKeyGroupPayloads}; anything that is not a key group is skipped.
 *
 * @param payload - the notification payload.
 * @returns the key groups it names.
 */
export function decodeKeyGroupPayload(payload: string): number[] {
  const keyGroups: number[] = [];
  for (const part of payload.split(',')) {
    const keyGroup = Number(part);
    if (part !== '' && Number.isSafeInteger(keyGroup) && keyGroup >= 0) keyGroups.push(keyGroup);
  }
  return keyGroups;
}

/**
 * Subscribes to key-group wake-ups on a dedicated connection (postgres.js re-subscribes after a reconnect).
 *
 * @param sql - the store's client.
 * @param onKeyGroups - called with the key groups of each notification; an exception it throws is logged.
 * @param logger - where a throwing callback is reported.
 * @returns a function that unsubscribes.
 */
export async function listenKeyGroups(
  sql: Sql,
  onKeyGroups: (keyGroups: readonly number[]) => void,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  const subscription = await sql.listen(KEY_GROUPS_CHANNEL, (payload) => {
    const keyGroups = decodeKeyGroupPayload(payload);
    if (keyGroups.length === 0) return;
    try {
      onKeyGroups(keyGroups);
    } catch (err) {
      // The callback runs inside the driver's socket handler: a throw there would break the connection.
      logger?.error({ err }, 'key-group wake-up callback failed');
    }
  });
  let isSubscribed = true;
  return async () => {
    if (!isSubscribed) return;
    isSubscribed = false;
    await subscription.unlisten();
  };
}
