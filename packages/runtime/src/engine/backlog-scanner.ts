/**
 * Reads the inbox from the store into the mailboxes, page by page in seq order, while memory has room: at
 * recovery, after key groups are acquired, and whenever a message was left in the store because memory was
 * full (then no message of an address that is not in memory may overtake it, so every such delivery waits in
 * the store until the scan has passed it).
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { StoredMessage } from '../store/store.js';
import type { InboxTracker } from './inbox-tracker.js';

/** Wait before reading again after a failed read, ms. */
const RETRY_MS = 1_000;

/** Where the scanner reads pending messages from (cluster mode: only the key groups this process owns). */
export interface InboxSource {
  /** Pending messages with seq > `afterSeq`, in seq order, at most `limit`. */
  page(afterSeq: number, limit: number): Promise<StoredMessage[]>;
  /** The first `limit` pending messages of one address, in seq order. */
  ofAddress(address: StoredMessage['target'], limit: number): Promise<StoredMessage[]>;
}

/** What a scanned message became. */
export type Offered = 'taken' | 'skipped' | 'full';

/** Collaborators of the scanner. */
export interface BacklogScannerDeps {
  readonly inbox: InboxSource;
  readonly tracker: InboxTracker;
  readonly log: Logger;
  readonly clock: Clock;
  /** Whether memory has room to read more (below its low-water mark). */
  readonly hasRoom: () => boolean;
  /** Everything submitted so far is committed (so what was left in the store is there to read). */
  readonly flush: () => Promise<void>;
  /** Offers a scanned message to its mailbox: taken, skipped (its address pages itself), or full (stop). */
  readonly offer: (message: StoredMessage) => Offered;
  /** Whether scanning may go on (not closing or resetting). */
  readonly isActive: () => boolean;
}

/** Pages the inbox into memory. */
export class BacklogScanner {
  readonly #deps: BacklogScannerDeps;
  readonly #pageSize: number;
  // The store may hold messages beyond #from that are not in memory.
  #behind = false;
  #from = 0;
  // Lowest seq left in the store while a page was being read (the page may have missed it).
  #lowered = Infinity;
  #running = false;

  /** @param options.pageSize - messages per read. */
  constructor(deps: BacklogScannerDeps, options: { readonly pageSize: number }) {
    this.#deps = deps;
    this.#pageSize = options.pageSize;
  }

  /** Whether messages wait in the store that the scan has not passed yet. */
  get isBehind(): boolean {
    return this.#behind;
  }

  /** A message was left in the store for lack of memory: scan again from it. */
  leftInStore(seq: number): void {
    this.#behind = true;
    this.#lowered = Math.min(this.#lowered, seq - 1);
    if (!this.#running) this.#from = Math.min(this.#from, seq - 1);
  }

  /** Scans everything again (recovery, key groups acquired, a lost wake-up). */
  rescan(): void {
    this.leftInStore(1);
    this.kick();
  }

  /** Memory freed up, or the scanner was asked to run: go on while below the low-water mark. */
  kick(): void {
    if (this.#running || !this.#behind) return;
    this.#running = true;
    this.#run()
      .catch((err: unknown) => {
        // The messages are in the store either way: try again in a second (or at the next kick).
        this.#deps.log.warn({ err }, 'reading the inbox backlog from the store failed; retrying in 1 s');
        this.#deps.clock.setTimeout(() => this.kick(), RETRY_MS);
      })
      .finally(() => {
        this.#running = false;
      });
  }

  /**
   * Reads messages from the store and drops those in memory already (or consumed while the read ran).
   */
  async read(load: () => Promise<StoredMessage[]>): Promise<StoredMessage[]> {
    const { tracker } = this.#deps;
    const token = tracker.beginLoad();
    let rows: StoredMessage[] = [];
    try {
      rows = await load();
    } finally {
      rows = tracker.endLoad(token, rows);
    }
    return rows;
  }

  /** Forgets the position (after a reset; the caller rescans). */
  reset(): void {
    this.#behind = false;
    this.#from = 0;
    this.#lowered = Infinity;
  }

  async #run(): Promise<void> {
    const { inbox } = this.#deps;
    while (this.#behind && this.#deps.isActive() && this.#deps.hasRoom()) {
      // Fold in what was left in the store since the last page (also while the previous run was ending).
      this.#from = Math.min(this.#from, this.#lowered);
      this.#lowered = Infinity;
      await this.#deps.flush();
      const from = this.#from;
      let last = from;
      let stopped = false;
      let raw = 0;
      const fresh = await this.read(async () => {
        const rows = await inbox.page(from, this.#pageSize);
        raw = rows.length;
        last = rows[rows.length - 1]?.seq ?? from;
        return rows;
      });
      if (!this.#deps.isActive()) return;
      for (const m of fresh) {
        if (this.#deps.offer(m) === 'full') {
          stopped = true;
          last = m.seq - 1;
          break;
        }
      }
      this.#from = Math.min(last, this.#lowered);
      // Memory is full: the next kick (a batch done) goes on from here.
      if (stopped) return;
      if (raw < this.#pageSize && this.#lowered === Infinity) this.#behind = false;
    }
  }
}
