/**
 * Follows a log egress of the runtime: long-polls `GET /v1/egress/{id}?from=N&limit=10000&wait=1000` on its
 * own connection and hands each page of records to a callback with the time the page arrived. End-to-end
 * latencies measured with it include the poll (the runtime wakes waiting polls when records commit).
 */
import { Client } from 'undici';

import { now } from './load.js';

/** One egress record as the API returns it. */
export interface EgressRecordJson {
  readonly offset: number;
  readonly type: string;
  readonly json?: unknown;
}

/** Follows one log egress until stopped. */
export class EgressFollower {
  readonly #client: Client;
  readonly #path: string;
  readonly #onRecords: (records: readonly EgressRecordJson[], at: number) => void;
  readonly #abort = new AbortController();
  #next = 0;
  #loop: Promise<void> | undefined;
  #error: Error | undefined;

  /**
   * @param baseUrl - the runtime's API URL.
   * @param egressId - `namespace/name` of a log egress.
   * @param onRecords - gets every page of records and the {@link now} time it arrived.
   */
  constructor(
    baseUrl: string,
    egressId: string,
    onRecords: (records: readonly EgressRecordJson[], at: number) => void,
  ) {
    this.#client = new Client(baseUrl, { keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 });
    this.#path = `/v1/egress/${egressId}`;
    this.#onRecords = onRecords;
  }

  /** Offset of the next record to read (= records read so far, when starting at 0). */
  get next(): number {
    return this.#next;
  }

  /** The error that stopped the loop, if any. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Starts following from offset 0. */
  start(): void {
    this.#loop = this.#run().catch((err: unknown) => {
      if (!this.#abort.signal.aborted) this.#error = err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Stops following and closes the connection. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#client.close().catch(() => undefined);
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      const res = await this.#client.request({
        method: 'GET',
        path: `${this.#path}?from=${this.#next}&limit=10000&wait=1000`,
        signal: this.#abort.signal,
      });
      const text = await res.body.text();
      const at = now();
      if (res.statusCode !== 200)
        throw new Error(`egress read answered ${res.statusCode}: ${text.slice(0, 300)}`);
      const page = JSON.parse(text) as { records: EgressRecordJson[]; next: number };
      this.#next = page.next;
      if (page.records.length > 0) this.#onRecords(page.records, at);
    }
  }
}
