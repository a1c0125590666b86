/**
 * How many messages, and how many bytes of them, the mailboxes hold in memory. The backlog beyond this lives in
 * the store only and is paged in as memory frees.
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

/** Counts the messages held in memory against their limits. */
export class MemoryBudget {
  readonly #options: MemoryBudgetOptions;
  #messages = 0;
  #bytes = 0;

  constructor(options: MemoryBudgetOptions) {
    this.#options = options;
  }

  /** Messages held. */
  get messages(): number {
    return this.#messages;
  }

  /** Bytes held (estimated: argument bytes plus a fixed overhead per message). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether one more message fits. */
  hasRoom(): boolean {
    return this.#messages < this.#options.maxMessages && this.#bytes < this.#options.maxBytes;
  }

  /** Messages that fit before the message limit is reached (the byte limit is checked per message). */
  get messagesLeft(): number {
    return Math.max(0, this.#options.maxMessages - this.#messages);
  }

  /** Whether use is below three quarters of both limits (paging from the store resumes). */
  isBelowLowWater(): boolean {
    return this.#messages * 4 < this.#options.maxMessages * 3 && this.#bytes * 4 < this.#options.maxBytes * 3;
  }

  /** Counts a message taken into memory. */
  add(message: PendingMessage): void {
    this.#messages += 1;
    this.#bytes += sizeOf(message);
  }

  /** Counts messages leaving memory (consumed, or dropped back to the store). */
  remove(messages: readonly PendingMessage[]): void {
    for (const m of messages) {
      this.#messages -= 1;
      this.#bytes -= sizeOf(m);
    }
  }

  /** Forgets every message (after a reset). */
  clear(): void {
    this.#messages = 0;
    this.#bytes = 0;
  }
}

function sizeOf(message: PendingMessage): number {
  return message.argument.value.byteLength + MESSAGE_OVERHEAD_BYTES;
}
