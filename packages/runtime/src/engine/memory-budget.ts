/**
 * How many messages, and how many bytes of them, the mailboxes hold in memory. The backlog beyond this lives in
 * the store only and is paged in as memory frees. One function type holds at most half of either limit, so a
 * function whose calls hang (holding their batches for the whole call timeout) leaves the other half to the
 * rest. An address waiting to retry holds no messages but counts as one, so a failing type's waiting
 * addresses are bounded by its share too.
 */
import type { PendingMessage } from './pending-message.js';

/**
 * What a message costs in memory besides its argument bytes: the row read from the store, its objects and
 * strings, the bookkeeping of the mailbox and the tracker (about 1 KiB with small arguments).
 */
const MESSAGE_OVERHEAD_BYTES = 1024;

/** Limits of the messages held in memory. */
export interface MemoryBudgetOptions {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** What one function type holds. */
interface Use {
  messages: number;
  bytes: number;
}

/** Counts the messages held in memory against their limits. */
export class MemoryBudget {
  readonly #options: MemoryBudgetOptions;
  #messages = 0;
  #bytes = 0;
  #waits = 0;
  readonly #byType = new Map<string, Use>();

  constructor(options: MemoryBudgetOptions) {
    this.#options = options;
  }

  /** Messages held (addresses waiting to retry included: each counts as one). */
  get messages(): number {
    return this.#messages;
  }

  /** Bytes held (estimated: argument bytes plus a fixed overhead per message and per waiting address). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Failing addresses, counted in {@link MemoryBudget.messages} as one message each (they hold none). */
  get waits(): number {
    return this.#waits;
  }

  /** Bytes of the messages held, without what failing addresses count. */
  get messageBytes(): number {
    return this.#bytes - this.#waits * MESSAGE_OVERHEAD_BYTES;
  }

  /** Whether one more message fits. */
  hasRoom(): boolean {
    return this.#messages < this.#options.maxMessages && this.#bytes < this.#options.maxBytes;
  }

  /** Whether one more message of function type `type` fits (within its share too). */
  hasRoomFor(type: string): boolean {
    const use = this.#byType.get(type);
    return this.hasRoom() && (use === undefined || this.#isBelow(use, 1, 2));
  }

  /** Messages of `type` that fit before its share or the message limit is reached. */
  messagesLeftFor(type: string): number {
    const share = Math.floor(this.#options.maxMessages / 2) - this.heldBy(type).messages;
    return Math.max(0, Math.min(this.messagesLeft, share));
  }

  /** Whether `type`'s use is below three quarters of its share (its backlog pages in again). */
  isBelowLowWaterFor(type: string): boolean {
    const use = this.#byType.get(type);
    return use === undefined || this.#isBelow(use, 3, 8);
  }

  /** Messages that fit before the message limit is reached (the byte limit is checked per message). */
  get messagesLeft(): number {
    return Math.max(0, this.#options.maxMessages - this.#messages);
  }

  /** Whether use is below three quarters of both limits (paging from the store resumes). */
  isBelowLowWater(): boolean {
    return this.#messages * 4 < this.#options.maxMessages * 3 && this.#bytes * 4 < this.#options.maxBytes * 3;
  }

  /** Messages and bytes held by function type `type`. */
  heldBy(type: string): Readonly<Use> {
    return this.#byType.get(type) ?? { messages: 0, bytes: 0 };
  }

  /** Counts a message taken into memory. */
  add(message: PendingMessage): void {
    this.#count(message.target.type, 1, sizeOf(message));
  }

  /** Counts messages leaving memory (consumed, or dropped back to the store). */
  remove(messages: readonly PendingMessage[]): void {
    for (const m of messages) this.#count(m.target.type, -1, -sizeOf(m));
  }

  /** Counts a failing address of `type` (it holds no messages, but its mailbox and retry state). */
  addWaiting(type: string): void {
    this.#waits += 1;
    this.#count(type, 1, MESSAGE_OVERHEAD_BYTES);
  }

  /** Counts a failing address of `type` that recovered or left memory. */
  removeWaiting(type: string): void {
    this.#waits -= 1;
    this.#count(type, -1, -MESSAGE_OVERHEAD_BYTES);
  }

  /** Forgets every message (after a reset). */
  clear(): void {
    this.#messages = 0;
    this.#bytes = 0;
    this.#waits = 0;
    this.#byType.clear();
  }

  #count(type: string, messages: number, bytes: number): void {
    this.#messages += messages;
    this.#bytes += bytes;
    const use = this.#byType.get(type);
    if (use === undefined) {
      this.#byType.set(type, { messages, bytes });
      return;
    }
    use.messages += messages;
    use.bytes += bytes;
    if (use.messages === 0) this.#byType.delete(type);
  }

  /** Whether `use` is below `num / den` of both limits. */
  #isBelow(use: Use, num: number, den: number): boolean {
    return (
      use.messages * den < this.#options.maxMessages * num && use.bytes * den < this.#options.maxBytes * num
    );
  }
}

function sizeOf(message: PendingMessage): number {
  return message.argument.value.byteLength + MESSAGE_OVERHEAD_BYTES;
}
