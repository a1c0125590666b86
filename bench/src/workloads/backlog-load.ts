/**
 * Posts the isolation workload's backlog: `messages` messages to `addresses` addresses of the backlog type, as
 * fast as the ingress takes them, from `clients` concurrent clients (one connection each). Each client owns
 * its own addresses and waits for a message's 202 before sending the next, so every address's messages are
 * accepted in the order of their seq and the checker can verify the order they were committed in.
 */
import { Pool } from 'undici';

import type { BacklogChecker } from '../backlog-checker.js';
import { now, sleep } from '../load.js';
import { BACKLOG_MESSAGE_TYPENAME, BACKLOG_TYPE } from '../names.js';
import { countStatus, postIngressStatus, type StatusCounts } from './ingress-status.js';

/** A client gives up after this many requests in a row that threw (the runtime is gone). */
const MAX_CONSECUTIVE_ERRORS = 20;

/** Settings of {@link postBacklog}. */
export interface BacklogLoadOptions {
  readonly messages: number;
  readonly addresses: number;
  readonly clients: number;
}

/** What posting the backlog measured. */
export interface BacklogLoadResult {
  readonly messages: number;
  readonly addresses: number;
  readonly clients: number;
  /** From the first POST to the last 202. */
  readonly seconds: number;
  /** Accepted messages per second over {@link BacklogLoadResult.seconds}. */
  readonly perSecond: number;
  /** Every answer, retries included. */
  readonly statuses: StatusCounts;
  /**
   * Requests that threw and were sent again: the runtime may have stored the first, so a duplicate of such a
   * message is not the runtime's.
   */
  readonly resentAfterError: number;
}

/**
 * Posts the backlog and marks each accepted message in `checker`.
 *
 * @param url - the runtime's API URL.
 * @param options - how many messages, addresses and clients.
 * @param checker - gets every accepted message's index.
 * @returns throughput and the statuses.
 * @throws when the ingress answers anything but 202 or 503 (with the body), or keeps failing.
 */
export async function postBacklog(
  url: string,
  options: BacklogLoadOptions,
  checker: BacklogChecker,
): Promise<BacklogLoadResult> {
  const { messages, addresses, clients } = options;
  const pool = new Pool(url, { connections: clients, keepAliveTimeout: 60_000 });
  const nextSeq = new Int32Array(addresses);
  const statuses: StatusCounts = {};
  let claimed = 0;
  let resentAfterError = 0;
  let lastAck = Number.NaN;
  // One client failing stops the others at their next message.
  let hasFailed = false;

  const client = async (c: number): Promise<void> => {
    const mine: number[] = [];
    for (let a = c; a < addresses; a += clients) mine.push(a);
    if (mine.length === 0) return;
    let turn = 0;
    let errorsInARow = 0;
    while (claimed < messages && !hasFailed) {
      const index = claimed++;
      const address = mine[turn++ % mine.length]!;
      const body = JSON.stringify({ seq: nextSeq[address], index });
      for (;;) {
        let status: number | 'error';
        let text = '';
        try {
          ({ status, body: text } = await postIngressStatus(
            pool,
            BACKLOG_TYPE,
            `b${address}`,
            BACKLOG_MESSAGE_TYPENAME,
            body,
          ));
          errorsInARow = 0;
        } catch (err) {
          status = 'error';
          errorsInARow += 1;
          if (errorsInARow >= MAX_CONSECUTIVE_ERRORS) throw err;
        }
        countStatus(statuses, status);
        if (status === 202) break;
        if (status === 'error') {
          resentAfterError += 1;
          await sleep(50);
        } else if (status === 503) {
          await sleep(5);
        } else {
          throw new Error(`backlog ingress answered ${status}: ${text}`);
        }
      }
      checker.accept(index);
      nextSeq[address] = nextSeq[address]! + 1;
      lastAck = now();
    }
  };

  const started = now();
  try {
    await Promise.all(
      Array.from({ length: clients }, (_, c) =>
        client(c).catch((err: unknown) => {
          hasFailed = true;
          throw err;
        }),
      ),
    );
  } finally {
    await pool.close();
  }
  const seconds = (lastAck - started) / 1000;
  return {
    messages,
    addresses,
    clients,
    seconds,
    perSecond: messages / seconds,
    statuses,
    resentAfterError,
  };
}
