/** The effects user code produces during a batch, in call order, before they are encoded. */
import type { Address } from './address.js';
import type { ParsedTypeName } from './typename.js';
import type { EncodedValue } from './types/type.js';

/** A message to another function (or to itself). */
export interface OutgoingMessage {
  readonly target: Address;
  readonly value: EncodedValue;
}

/** A delayed message, or the cancellation of one, in the order they were requested. */
export type DelayedAction =
  | {
      readonly kind: 'send';
      readonly delayMs: number;
      readonly target: Address;
      readonly value: EncodedValue;
      readonly cancellationToken: string | undefined;
    }
  | { readonly kind: 'cancel'; readonly cancellationToken: string };

/** A record for an egress. */
export interface OutgoingEgress {
  readonly egress: ParsedTypeName;
  readonly value: EncodedValue;
}

/** Everything a batch asked for, besides state changes. */
export interface CollectedEffects {
  readonly messages: OutgoingMessage[];
  readonly delayed: DelayedAction[];
  readonly egress: OutgoingEgress[];
}

/** @returns an empty effects collector. */
export function createEffects(): CollectedEffects {
  return { messages: [], delayed: [], egress: [] };
}
