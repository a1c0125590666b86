/**
 * Reads the inbox from the store into the mailboxes, page by page in seq order, while memory has room: at
 * recovery, after key groups are acquired, and whenever a message was left in the store because memory was
 * full (then no message of an address that is not in memory may overtake it, so every such delivery waits in
 * the store until the scan has passed it).
 *
 * A message left in the store because only its function type was short of memory (its share, see
 * `memory-budget.ts`) holds back that type alone: the scan passes it, remembers where the type's backlog
 * begins, and comes back for it when the type has room again, while live messages of other types go on
 * flowing.
 */
import type { Logger } from 'pino';
import { addressKey, type FunctionAddress } from '../core/address.js';
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

/**
 * What a scanned message became: taken into memory, skipped (in memory already, or its address pages itself),
 * left because memory is full (the scan stops) or because its function type holds its share (the scan goes on).
 */
export type Offered = 'taken' | 'skipped' | 'full' | 'typeFull';

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
  /** Offers a scanned message to its mailbox. */
  readonly offer: (message: StoredMessage) => Offered;
  /** Whether scanning may go on (not closing or resetting). */
  readonly isActive: () => boolean;
}

/**
 * What was left in the store from the moment a page's start was fixed until its rows came back (the flush and
 * the read): the page may hold newer messages of those addresses without the one left, which can be below the
 * page's start. A row newer than a message held back for its address or its type, or any row of key groups
 * acquired meanwhile (the read may already use the new filter, from a position past their older messages),
 * waits for the next read, which starts below it.
 */
/** Keeps the lowest seq recorded for `key`. */
function keepLowest<K>(seqs: Map<K, number>, key: K, seq: number): void {
  seqs.set(key, Math.min(seqs.get(key) ?? Infinity, seq));
}

class HeldBack {
  readonly #keyGroups = new Map<number, number>();
  readonly #types = new Map<string, number>();
  readonly #addresses = new Map<string, number>();

  /** Holds back the rows of `keyGroup` newer than `seq` (0: all of them). */
  holdKeyGroup(keyGroup: number, seq: number): void {
    keepLowest(this.#keyGroups, keyGroup, seq);
  }

  holdType(type: string, seq: number): void {
    keepLowest(this.#types, type, seq);
  }

  holdAddress(address: FunctionAddress, seq: number): void {
    keepLowest(this.#addresses, addressKey(address), seq);
  }

  /** Whether a row of the page must wait: it is newer than a message held back that it may not overtake. */
  covers(m: StoredMessage): boolean {
    if (this.#keyGroups.size > 0 && m.seq > (this.#keyGroups.get(m.keyGroup) ?? Infinity)) return true;
    if (this.#types.size > 0 && m.seq > (this.#types.get(m.target.type) ?? Infinity)) return true;
    return this.#addresses.size > 0 && m.seq > (this.#addresses.get(addressKey(m.target)) ?? Infinity);
  }
}

/** Pages the inbox into memory. */
export class BacklogScanner {
  readonly #deps: BacklogScannerDeps;
  readonly #pageSize: number;
  // The store may hold messages beyond #from that are not in memory: a pass is due.
  #behind = false;
  // Messages of any type may wait in the store unread: every live message waits until the pass ends.
  #blocksAll = false;
  #from = 0;
  // Lowest seq left in the store while a page was being read (the page may have missed it).
  #lowered = Infinity;
  #running = false;
  // A plain rescan came while a pass was under way: scan everything once more when it ends.
  #rescanAfterPass = false;
  // Kicked while a run was in progress (maybe past its last check): the run kicks again when it ends.
  #kickedWhileRunning = false;
  // While a page is read: what was left in the store meanwhile (its rows in the page wait for the next read).
  #held: HeldBack | undefined;
  // Function types short of room: where their unread backlog begins (they wait until they have room).
  readonly #typeLeft = new Map<string, number>();
  // Function types the current pass reads again (they had room again).
  readonly #typeScanning = new Set<string>();

  /** @param options.pageSize - messages per read. */
  constructor(deps: BacklogScannerDeps, options: { readonly pageSize: number }) {
    this.#deps = deps;
    this.#pageSize = options.pageSize;
  }

  /** Whether messages wait in the store that the scan has not passed yet. */
  get isBehind(): boolean {
    return this.#behind;
  }

  /** Whether messages of any function type may wait in the store unread (memory was full). */
  get blocksAll(): boolean {
    return this.#blocksAll;
  }

  /** Whether messages of function type `type` may wait in the store unread (a live one must not overtake them). */
  isBehindFor(type: string): boolean {
    return this.#blocksAll || this.#typeLeft.has(type) || this.#typeScanning.has(type);
  }

  /** Whether the backlog of any function type waits for it to have room. */
  get anyTypeLeft(): boolean {
    return this.#typeLeft.size > 0;
  }

  /** Function types whose backlog waits for them to have room. */
  typesLeft(): IterableIterator<string> {
    return this.#typeLeft.keys();
  }

  /** A message was left in the store for lack of memory (or while the scan is behind): scan again from it. */
  leftInStore(seq: number, address: FunctionAddress): void {
    this.#blocksAll = true;
    this.#lower(seq);
    this.#held?.holdAddress(address, seq);
  }

  /** A message of `type` was left in the store because its type is short of room (memory has room for others). */
  leftInStoreOfType(type: string, seq: number, address: FunctionAddress): void {
    // The running pass reads this type again: it must not miss the message.
    if (this.#typeScanning.has(type)) {
      this.#lower(seq);
      this.#held?.holdAddress(address, seq);
    } else keepLowest(this.#typeLeft, type, seq);
  }

  /** `type` has room again: read its backlog from where it was left (other types are not held back meanwhile). */
  typeHasRoom(type: string): void {
    const seq = this.#typeLeft.get(type);
    if (seq === undefined) return;
    this.#typeLeft.delete(type);
    this.#typeScanning.add(type);
    this.#lower(seq);
    this.#held?.holdType(type, seq);
    this.kick();
  }

  /**
   * Scans everything again (recovery, a lost wake-up, key groups acquired).
   *
   * @param acquired - key groups just acquired: a page being read may already include them while it starts past
   *   their older messages, so their rows in it wait for the next read (a plain rescan holds nothing back).
   */
  rescan(acquired?: Iterable<number>): void {
    this.#blocksAll = true;
    if (acquired === undefined && this.#running && this.#behind) {
      // A pass is under way: one more follows it (restarting it at each wake-up could keep it from ending).
      this.#rescanAfterPass = true;
      return;
    }
    this.#lower(1);
    if (acquired !== undefined) for (const kg of acquired) this.#held?.holdKeyGroup(kg, 0);
    this.kick();
  }

  /** Memory freed up, or the scanner was asked to run: go on while below the low-water mark. */
  kick(): void {
    if (this.#running) {
      // The run may have ended its pass already (its last turns are still running): it looks again when done.
      this.#kickedWhileRunning = true;
      return;
    }
    if (!this.#behind) return;
    this.#running = true;
    this.#kickedWhileRunning = false;
    this.#run()
      .catch((err: unknown) => {
        // The messages are in the store either way: try again in a second (or at the next kick).
        this.#deps.log.warn({ err }, 'reading the inbox backlog from the store failed; retrying in 1 s');
        this.#deps.clock.setTimeout(() => this.kick(), RETRY_MS);
      })
      .finally(() => {
        this.#running = false;
        if (this.#kickedWhileRunning) this.kick();
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
    this.#blocksAll = false;
    this.#from = 0;
    this.#lowered = Infinity;
    this.#rescanAfterPass = false;
    this.#typeLeft.clear();
    this.#typeScanning.clear();
  }

  #lower(seq: number): void {
    this.#behind = true;
    this.#lowered = Math.min(this.#lowered, seq - 1);
    if (!this.#running) this.#from = Math.min(this.#from, seq - 1);
  }

  async #run(): Promise<void> {
    const { inbox } = this.#deps;
    while (this.#behind && this.#deps.isActive() && this.#deps.hasRoom()) {
      // Fold in what was left in the store since the last page. What is left from now until the page is read
      // (also during the flush, which need not cover it) is held back from this page: see HeldBack.
      this.#from = Math.min(this.#from, this.#lowered);
      this.#lowered = Infinity;
      const from = this.#from;
      const held = new HeldBack();
      let last = from;
      let stopped = false;
      let raw = 0;
      this.#held = held;
      let fresh: StoredMessage[];
      try {
        await this.#deps.flush();
        fresh = await this.read(async () => {
          const rows = await inbox.page(from, this.#pageSize);
          raw = rows.length;
          last = rows[rows.length - 1]?.seq ?? from;
          return rows;
        });
      } finally {
        this.#held = undefined;
      }
      if (!this.#deps.isActive()) return;
      for (const m of fresh) {
        if (held.covers(m)) {
          // A message it must not overtake was left in the store meanwhile: the next read starts below both.
          this.#lower(m.seq);
          continue;
        }
        const type = m.target.type;
        // An older message of its type was passed for lack of room: none of the type's later rows may be taken
        // before it (the type is read again from there once it has room).
        const typeLeftAt = this.#typeLeft.get(type);
        const offered = typeLeftAt !== undefined && typeLeftAt < m.seq ? 'typeFull' : this.#deps.offer(m);
        if (offered === 'full') {
          stopped = true;
          last = m.seq - 1;
          break;
        }
        if (offered !== 'typeFull') continue;
        keepLowest(this.#typeLeft, type, m.seq);
        // Reading on would only pass messages of types that are short of room: stop here.
        if (this.#isPointless()) {
          last = m.seq;
          break;
        }
      }
      this.#from = Math.min(last, this.#lowered);
      // Memory is full: the next kick (a batch done) goes on from here.
      if (stopped) return;
      if ((raw < this.#pageSize || this.#isPointless()) && this.#lowered === Infinity) this.#endPass();
    }
  }

  /**
   * Whether the pass only reads again types that are short of room once more: what is left of them is
   * remembered, and every other type was read before, so reading on would only skip.
   */
  #isPointless(): boolean {
    if (this.#blocksAll) return false;
    for (const type of this.#typeScanning) if (!this.#typeLeft.has(type)) return false;
    return true;
  }

  #endPass(): void {
    if (this.#rescanAfterPass) {
      this.#rescanAfterPass = false;
      this.#lower(1);
      return;
    }
    this.#behind = false;
    this.#blocksAll = false;
    this.#typeScanning.clear();
  }
}
