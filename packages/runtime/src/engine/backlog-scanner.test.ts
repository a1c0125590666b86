import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import type { StoredMessage } from '../store/store.js';
import { BacklogScanner, type Offered } from './backlog-scanner.js';
import { InboxTracker } from './inbox-tracker.js';

const log = pino({ level: 'silent' });

function message(seq: number): StoredMessage {
  return {
    seq,
    keyGroup: 0,
    target: { type: 'ex/f', id: String(seq % 3) },
    caller: undefined,
    argument: { typename: 'ex/v', value: new Uint8Array(0) },
    enqueuedAt: seq,
  };
}

/** A store inbox of seqs, a scanner over it, and what the scanner offered. */
function setup(
  options: {
    pageSize?: number;
    offer?: (m: StoredMessage) => Offered;
    typeOf?: (seq: number) => string;
    /** The address id of a seq (default: seq % 3). */
    idOf?: (seq: number) => string;
    /** The key group of a seq (default 0); only owned key groups are read, as in cluster mode. */
    keyGroupOf?: (seq: number) => number;
    flush?: () => Promise<void>;
  } = {},
) {
  const inbox = new Set<number>();
  const owned = new Set<number>([0]);
  const offered: number[] = [];
  // Like the mailboxes' tracker: a message taken once is in memory and skipped when read again.
  const taken = new Set<number>();
  let room = true;
  const pages: number[] = [];
  let beforeRead: (() => void) | undefined;
  const typeOf = options.typeOf ?? (() => 'ex/f');
  const idOf = options.idOf ?? ((seq: number) => String(seq % 3));
  const keyGroupOf = options.keyGroupOf ?? (() => 0);
  const toMessage = (s: number): StoredMessage => ({
    ...message(s),
    keyGroup: keyGroupOf(s),
    target: { type: typeOf(s), id: idOf(s) },
  });
  const scanner = new BacklogScanner(
    {
      inbox: {
        page: (afterSeq, limit) => {
          pages.push(afterSeq);
          // The key-group filter is taken when the read starts, as the stores do.
          const filter = new Set(owned);
          beforeRead?.();
          const seqs = [...inbox]
            .filter((s) => s > afterSeq && filter.has(keyGroupOf(s)))
            .sort((a, b) => a - b);
          return Promise.resolve(seqs.slice(0, limit).map(toMessage));
        },
        ofAddress: () => Promise.resolve([]),
      },
      tracker: new InboxTracker(),
      log,
      clock: systemClock,
      hasRoom: () => room,
      flush: options.flush ?? (() => Promise.resolve()),
      offer: (m) => {
        if (taken.has(m.seq)) return 'skipped';
        const result = options.offer?.(m) ?? 'taken';
        if (result === 'taken') {
          taken.add(m.seq);
          offered.push(m.seq);
        }
        return result;
      },
      isActive: () => true,
    },
    { pageSize: options.pageSize ?? 2 },
  );
  return {
    inbox,
    owned,
    offered,
    pages,
    scanner,
    /** The address of a seq. */
    addressOf: (seq: number) => toMessage(seq).target,
    setRoom: (r: boolean) => (room = r),
    onRead: (f: (() => void) | undefined) => (beforeRead = f),
    /** Runs `f` when the `n`-th page read starts (1 is the first), once. */
    onNthRead: (n: number, f: () => void) => {
      let reads = 0;
      beforeRead = () => {
        if (++reads === n) f();
      };
    },
  };
}

/** The seqs offered per address id, in the order they were offered. */
function perAddress(offered: readonly number[], idOf: (seq: number) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const seq of offered) out.set(idOf(seq), [...(out.get(idOf(seq)) ?? []), seq]);
  return out;
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};

describe('BacklogScanner', () => {
  it('reads everything in seq order, page by page, and is no longer behind after a short page', async () => {
    const { inbox, offered, pages, scanner } = setup();
    for (const s of [3, 1, 5, 4, 2]) inbox.add(s);
    scanner.rescan();
    expect(scanner.isBehind).toBe(true);
    await settle();
    expect(offered).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toEqual([0, 2, 4]);
    expect(scanner.isBehind).toBe(false);
  });

  it('stops where memory is full and goes on from there when kicked', async () => {
    let full = false;
    const { inbox, offered, scanner, setRoom } = setup({ offer: () => (full ? 'full' : 'taken') });
    for (const s of [1, 2, 3, 4]) inbox.add(s);
    full = true;
    scanner.rescan();
    await settle();
    expect(offered).toEqual([]);
    expect(scanner.isBehind).toBe(true);
    setRoom(false);
    full = false;
    scanner.kick();
    await settle();
    expect(offered).toEqual([]); // no room to read
    setRoom(true);
    scanner.kick();
    await settle();
    expect(offered).toEqual([1, 2, 3, 4]);
  });

  it('skips what the addresses page in themselves without stopping', async () => {
    const { inbox, offered, scanner } = setup({ offer: (m) => (m.seq % 2 === 0 ? 'skipped' : 'taken') });
    for (const s of [1, 2, 3, 4, 5]) inbox.add(s);
    scanner.rescan();
    await settle();
    expect(offered).toEqual([1, 3, 5]);
    expect(scanner.isBehind).toBe(false);
  });

  it('reads again from a message left in the store while a page was being read', async () => {
    const { inbox, offered, scanner, onNthRead, addressOf } = setup({ pageSize: 10 });
    for (const s of [1, 2, 3]) inbox.add(s);
    // While the first page is read, message 4 is committed and left in the store by a delivery; the read
    // has no row for it (its snapshot predates it).
    onNthRead(1, () => {
      scanner.leftInStore(4, addressOf(4));
      queueMicrotask(() => inbox.add(4));
    });
    scanner.rescan();
    await settle();
    expect(offered).toEqual([1, 2, 3, 4]);
    expect(scanner.isBehind).toBe(false);
  });

  it('does not lose a message left in the store while a run is ending', async () => {
    const { inbox, offered, scanner, setRoom, addressOf } = setup({ pageSize: 10 });
    for (const s of [1, 2]) inbox.add(s);
    scanner.rescan();
    await settle();
    expect(offered).toEqual([1, 2]);
    // Memory fills; a message is left in the store; the run that sees no room ends; then room again.
    setRoom(false);
    inbox.add(3);
    scanner.leftInStore(3, addressOf(3));
    scanner.kick();
    inbox.add(4);
    scanner.leftInStore(4, addressOf(4));
    await settle();
    expect(offered).toEqual([1, 2]);
    setRoom(true);
    scanner.kick();
    await settle();
    expect(offered).toEqual([1, 2, 3, 4]);
  });

  it('does not offer what the tracker holds in memory already', async () => {
    const tracked = setup();
    tracked.inbox.add(1);
    tracked.inbox.add(2);
    const read = await tracked.scanner.read(() => Promise.resolve([message(1), message(2)]));
    expect(read.map((m) => m.seq)).toEqual([1, 2]);
  });

  describe('per-address order while the pass reads', () => {
    it('reads key groups acquired during a flush from their first message, not from where the pass was', async () => {
      // Key group 1 holds address Y's messages 2, 4 and 6; the rest (1, 3, 5) are key group 0's, address X's.
      const idOf = (seq: number): string => (seq % 2 === 0 ? 'Y' : 'X');
      let releaseFlush: (() => void) | undefined;
      let flushes = 0;
      const { inbox, owned, offered, scanner } = setup({
        idOf,
        keyGroupOf: (seq) => (seq % 2 === 0 ? 1 : 0),
        // The second flush waits until the test lets it go.
        flush: () =>
          ++flushes === 2 ? new Promise((resolve) => (releaseFlush = resolve)) : Promise.resolve(),
      });
      for (const s of [1, 2, 3, 4, 5, 6]) inbox.add(s);
      scanner.rescan();
      await settle();
      expect(offered).toEqual([1, 3]); // the first page, of key group 0
      expect(releaseFlush).toBeDefined();
      // Key group 1 is acquired while the next page's flush runs: that page takes the new filter.
      owned.add(1);
      scanner.rescan([1]);
      releaseFlush!();
      await settle();
      expect(perAddress(offered, idOf)).toEqual(
        new Map([
          ['X', [1, 3, 5]],
          ['Y', [2, 4, 6]],
        ]),
      );
      expect(scanner.isBehind).toBe(false);
    });

    it('never offers a newer message of an address whose older one was left in the store during the read', async () => {
      // Cluster mode: message 2 of address Y comes from another process's lower block of seqs, committed after
      // the pass read past it; Y's next message, 4, is already in the page that is being read when 2 is left.
      const idOf = (seq: number): string => (seq === 2 || seq === 4 ? 'Y' : `X${seq}`);
      const { inbox, offered, scanner, onNthRead, addressOf } = setup({ idOf });
      for (const s of [1, 3, 5]) inbox.add(s);
      onNthRead(2, () => {
        inbox.add(2);
        inbox.add(4);
        scanner.leftInStore(2, addressOf(2));
      });
      scanner.rescan();
      await settle();
      expect(perAddress(offered, idOf).get('Y')).toEqual([2, 4]);
      expect([...offered].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
      expect(scanner.isBehind).toBe(false);
    });

    it('does not lose a plain rescan that comes while its run is ending', async () => {
      const later: { rescan?: () => void } = {};
      const { inbox, offered, scanner } = setup({
        pageSize: 10,
        offer: (m) => {
          if (m.seq === 6) queueMicrotask(() => later.rescan?.());
          return 'taken';
        },
      });
      for (const s of [5, 6]) inbox.add(s);
      later.rescan = () => {
        inbox.add(3); // below where the pass has read: only a rescan finds it
        scanner.rescan();
      };
      scanner.rescan();
      await settle();
      expect(offered).toEqual([5, 6, 3]);
      expect({ behind: scanner.isBehind, blocksAll: scanner.blocksAll }).toEqual({
        behind: false,
        blocksAll: false,
      });
    });

    it('reads everything again after a reset and a rescan while a read of the old run is in flight', async () => {
      let release: (() => void) | undefined;
      let flushes = 0;
      const { inbox, offered, scanner } = setup({
        flush: () =>
          ++flushes === 2 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve(),
      });
      for (const s of [1, 2, 3, 4, 5]) inbox.add(s);
      scanner.rescan();
      await settle();
      expect(release).toBeDefined();
      scanner.reset(); // the dispatcher's reset, then the reload's rescan
      scanner.rescan();
      release!();
      await settle();
      expect(offered).toEqual([1, 2, 3, 4, 5]);
      expect({ behind: scanner.isBehind, blocksAll: scanner.blocksAll }).toEqual({
        behind: false,
        blocksAll: false,
      });
    });

    it('goes on taking rows while plain rescans (wake-ups, sweeps) keep arriving during its reads', async () => {
      const { inbox, offered, scanner, onRead } = setup({ pageSize: 10 });
      for (let s = 1; s <= 30; s += 1) inbox.add(s);
      let reads = 0;
      let takenMeanwhile = 0;
      onRead(() => {
        reads += 1;
        if (reads === 20) takenMeanwhile = offered.length;
        // A wake-up naming an owned key group without seqs (e.g. a delayed message another process committed).
        if (reads <= 20) scanner.rescan();
      });
      scanner.rescan();
      await settle();
      expect(takenMeanwhile).toBe(30);
      expect(offered).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('reads a message left in the store while its run is ending, without waiting for another kick', async () => {
      const later: { leave?: () => void } = {};
      const { inbox, offered, scanner, addressOf } = setup({
        pageSize: 10,
        offer: (m) => {
          // A live delivery in a microtask queued while the last page is offered: it runs after the pass ended,
          // before the run is over.
          if (m.seq === 2) queueMicrotask(() => later.leave?.());
          return 'taken';
        },
      });
      for (const s of [1, 2]) inbox.add(s);
      later.leave = () => {
        inbox.add(3);
        scanner.leftInStore(3, addressOf(3));
        scanner.kick(); // as the mailbox memory does
      };
      scanner.rescan();
      await settle();
      expect(offered).toEqual([1, 2, 3]);
      expect(scanner.isBehind).toBe(false);
    });

    it('takes the older messages of an address in the page when the one left meanwhile is newer', async () => {
      // A busy address: its live messages keep arriving while the pass reads; its older rows must still be taken
      // (holding every row of the address back would starve it while it stays busy).
      const { inbox, offered, pages, scanner, onNthRead, addressOf } = setup({
        pageSize: 10,
        idOf: () => 'busy',
      });
      for (const s of [1, 2]) inbox.add(s);
      onNthRead(1, () => {
        scanner.leftInStore(3, addressOf(3));
        queueMicrotask(() => inbox.add(3));
      });
      scanner.rescan();
      await settle();
      expect(offered).toEqual([1, 2, 3]);
      expect(pages).toEqual([0, 2]);
    });
  });

  describe('a function type short of room', () => {
    // Odd seqs are of the hanging type, even ones of the healthy type.
    const typeOf = (seq: number): string => (seq % 2 === 1 ? 'ex/hang' : 'ex/ok');

    it('holds back that type alone: the scan passes it and reads it again once it has room', async () => {
      let hangFull = true;
      const seen = new Set<number>();
      const { inbox, offered, scanner, addressOf } = setup({
        typeOf,
        offer: (m) => {
          if (seen.has(m.seq)) return 'skipped'; // in memory already
          if (m.target.type === 'ex/hang' && hangFull) return 'typeFull';
          seen.add(m.seq);
          return 'taken';
        },
      });
      for (const s of [1, 2, 3, 4, 5, 6]) inbox.add(s);
      scanner.rescan();
      await settle();
      expect(offered).toEqual([2, 4, 6]);
      expect(scanner.isBehind).toBe(false);
      expect(scanner.isBehindFor('ex/ok')).toBe(false); // live messages of the healthy type flow
      expect(scanner.isBehindFor('ex/hang')).toBe(true); // they must not overtake its backlog
      expect([...scanner.typesLeft()]).toEqual(['ex/hang']);
      // A live message of the hanging type left meanwhile is remembered with the rest.
      inbox.add(7);
      scanner.leftInStoreOfType('ex/hang', 7, addressOf(7));
      hangFull = false;
      scanner.typeHasRoom('ex/hang');
      await settle();
      expect(offered).toEqual([2, 4, 6, 1, 3, 5, 7]);
      expect(scanner.isBehindFor('ex/hang')).toBe(false);
      expect([...scanner.typesLeft()]).toEqual([]);
    });

    it('stops a pass that would only pass messages of types short of room', async () => {
      let taken = 0;
      const { inbox, offered, pages, scanner, addressOf } = setup({
        pageSize: 10,
        typeOf: () => 'ex/hang',
        offer: () => (taken++ < 2 ? 'taken' : 'typeFull'),
      });
      for (let s = 1; s <= 30; s += 1) inbox.add(s);
      // The type had room again (a rescan would read on: messages of any type may wait then).
      scanner.leftInStoreOfType('ex/hang', 1, addressOf(1));
      scanner.typeHasRoom('ex/hang');
      await settle();
      // The first page: two taken, then the type is full and the rest of the backlog is left unread.
      expect(offered).toEqual([1, 2]);
      expect(pages).toEqual([0]);
      expect(scanner.isBehind).toBe(false);
      taken = 0;
      scanner.typeHasRoom('ex/hang');
      await settle();
      expect(offered).toEqual([1, 2, 3, 4]);
      expect(pages).toEqual([0, 2]);
    });

    it('reads a live message left while its type is read again', async () => {
      const { inbox, offered, scanner, onNthRead, addressOf } = setup({
        typeOf: () => 'ex/hang',
        pageSize: 10,
      });
      scanner.leftInStoreOfType('ex/hang', 1, addressOf(1));
      inbox.add(1);
      onNthRead(1, () => {
        // Its read has no row for it: the pass must read again from it.
        scanner.leftInStoreOfType('ex/hang', 2, addressOf(2));
        queueMicrotask(() => inbox.add(2));
      });
      scanner.typeHasRoom('ex/hang');
      await settle();
      expect(offered).toEqual([1, 2]);
      expect(scanner.isBehindFor('ex/hang')).toBe(false);
    });
  });
});
