import type { FunctionAddress } from '../core/address.js';
import type { StoredMessage, StoredValue } from '../store/store.js';

/**
 * Where a message in a mailbox came from, so its consumption can be committed: always an inbox row (a fired
 * delayed message is turned into one when it fires).
 */
export type MessageSource = { readonly kind: 'message'; readonly seq: number };

/** A message in an address's mailbox. */
export interface PendingMessage {
  readonly source: MessageSource;
  readonly target: FunctionAddress;
  /** The target's key group (known wherever the message was created; saves hashing again). */
  readonly keyGroup: number;
  readonly caller: FunctionAddress | undefined;
  readonly argument: StoredValue;
  /** The W3C `traceparent` the message carries (see `StoredMessage.traceparent`). */
  readonly traceparent?: string | undefined;
}

/** The mailbox entry of a message read from the store. */
export function pendingFromStored(m: StoredMessage): PendingMessage {
  return {
    source: { kind: 'message', seq: m.seq },
    target: m.target,
    keyGroup: m.keyGroup,
    caller: m.caller,
    argument: m.argument,
    traceparent: m.traceparent,
  };
}
