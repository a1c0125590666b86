/**
 * An `io.statefun.kinesis.v1/egress`: the runtime's egress shipper hands this sink the committed records of the
 * egress in order, at least once; each is a `KinesisEgressRecord` (checked when the function's reply was
 * validated) and is put to its stream with its partition key (and explicit hash key when set), data = its bytes.
 *
 * Order per partition key: a PutRecords request may fail for some of its records only, and putting those again
 * after later ones of the same key would reorder them; so one request carries at most one record per partition
 * key (and stream), and the records a request refused (throttling, an internal failure) are put again, after a
 * backoff, before any later record. A request that fails as a whole fails the delivery: the shipper hands the same
 * records again (at least once, as StateFun's Kinesis egress).
 */
import {
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import type { Logger } from 'pino';
import { KINESIS_EGRESS_RECORD_TYPENAME, KinesisEgressRecord } from '@statehouse/protocol';
import type {
  EgressContext,
  EgressRecord,
  EgressSink,
  KinesisEgressConfig,
  StoredValue,
} from '@statehouse/runtime';
import { backoffMs } from '@statehouse/runtime/internal';
import { createKinesisClient, describeAwsError, describeTarget } from './kinesis-client.js';
import { kinesisEgressMetrics, type KinesisEgressMetrics } from './kinesis-metrics.js';

/** Records per PutRecords request (Kinesis allows 500), unless `CollectionMaxCount` says fewer. */
const MAX_REQUEST_RECORDS = 500;
/** Bytes per PutRecords request (Kinesis allows 5 MiB), unless `CollectionMaxSize` says fewer. */
const MAX_REQUEST_BYTES = 5 * 1024 * 1024;
/** Backoff before putting refused records again, ms: doubling from the first to the last. */
const RETRY_MS = { first: 100, max: 5_000 };
/** Most UTF-16 code units of a partition key (Kinesis: 256). */
const MAX_PARTITION_KEY_CHARS = 256;
/** The largest explicit hash key Kinesis takes. */
const MAX_HASH_KEY = 2n ** 128n - 1n;
/** Most bytes of one record's data (Kinesis: 1 MiB including the partition key). */
const MAX_DATA_BYTES = 1024 * 1024;

/**
 * Why a value cannot go to a Kinesis egress, or `undefined` when it can.
 *
 * @param envelope - whether the egress puts records in the record-id envelope (which makes them larger).
 * @returns a phrase naming what is wrong and what is expected.
 */
export function kinesisRecordProblem(value: StoredValue, envelope = false): string | undefined {
  if (value.typename !== KINESIS_EGRESS_RECORD_TYPENAME) {
    return `a Kinesis egress takes records of type ${KINESIS_EGRESS_RECORD_TYPENAME} (kinesisEgressMessage in the SDKs), got ${JSON.stringify(value.typename)}`;
  }
  let record: KinesisEgressRecord;
  try {
    record = KinesisEgressRecord.decode(value.value);
  } catch (err) {
    return `the KinesisEgressRecord does not decode: ${(err as Error).message}`;
  }
  if (!/^[a-zA-Z0-9_.-]{1,128}$/u.test(record.stream))
    return `the KinesisEgressRecord's stream ${JSON.stringify(record.stream)} is not a stream name (1-128 characters of a-z, A-Z, 0-9, _ . -)`;
  // Kinesis counts UTF-16 code units (as Java does): an emoji is two.
  const keyChars = record.partitionKey.length;
  if (keyChars === 0 || keyChars > MAX_PARTITION_KEY_CHARS)
    return `the KinesisEgressRecord's partition key has ${keyChars} UTF-16 code units; Kinesis takes 1 to ${MAX_PARTITION_KEY_CHARS}`;
  const size = dataBytes(record.valueBytes.length, envelope) + Buffer.byteLength(record.partitionKey);
  if (size > MAX_DATA_BYTES)
    return `the KinesisEgressRecord is ${size} bytes${envelope ? ' in its record-id envelope' : ''}; Kinesis takes at most 1 MiB of data and partition key`;
  const hashKey = record.explicitHashKey;
  if (hashKey !== '' && (!/^\d{1,39}$/u.test(hashKey) || BigInt(hashKey) > MAX_HASH_KEY))
    return `the KinesisEgressRecord's explicit hash key ${JSON.stringify(hashKey)} is not a decimal number from 0 to 2^128 - 1`;
  return undefined;
}

/** Room the record-id envelope takes besides the base64 data: `{"id":"…","data":""}` with an egress id and offset. */
const ENVELOPE_OVERHEAD_BYTES = 512;

/** The bytes of a record's data as put: as written, or in the envelope. */
function dataBytes(valueBytes: number, envelope: boolean): number {
  return envelope ? Math.ceil(valueBytes / 3) * 4 + ENVELOPE_OVERHEAD_BYTES : valueBytes;
}

/**
 * The record-id envelope: the record's stable id (`<egress id>/<offset>`, the same each time it is put again) and
 * its data in base64, as UTF-8 JSON.
 */
export function envelopeOf(egressId: string, offset: number, data: Uint8Array): Uint8Array {
  return Buffer.from(
    JSON.stringify({ id: `${egressId}/${offset}`, data: Buffer.from(data).toString('base64') }),
  );
}

/** One record to put, with where it came from. */
export interface PendingRecord {
  readonly offset: number;
  readonly stream: string;
  readonly entry: PutRecordsRequestEntry;
  readonly bytes: number;
}

/** The sink of one Kinesis egress. */
export class KinesisEgressSink implements EgressSink {
  readonly id: string;
  readonly target: string;
  readonly batchSize: number;
  readonly #log: Logger;
  readonly #metrics: KinesisEgressMetrics;
  readonly #client: KinesisClient;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #envelope: boolean;

  constructor(config: KinesisEgressConfig, ctx: EgressContext) {
    this.id = config.id;
    this.target = describeTarget(config.awsRegion);
    this.batchSize = config.maxOutstandingRecords;
    this.#log = ctx.log;
    this.#metrics = kinesisEgressMetrics(ctx.registry);
    this.#client = createKinesisClient(config);
    const p = config.clientConfigProperties;
    this.#maxRecords = Number(p.get('CollectionMaxCount') ?? MAX_REQUEST_RECORDS);
    this.#maxBytes = Number(p.get('CollectionMaxSize') ?? MAX_REQUEST_BYTES);
    this.#envelope = config.recordIdEnvelope;
  }

  async deliver(records: readonly EgressRecord[], signal: AbortSignal): Promise<void> {
    let pending = this.#decode(records);
    let stuck = 0;
    while (pending.length > 0) {
      signal.throwIfAborted();
      const [request, rest] = nextRequest(pending, this.#maxRecords, this.#maxBytes);
      const refused = await this.#put(request, signal);
      pending = [...refused, ...rest];
      // Part of the request went in: put the rest at once (the refused records first). None did: back off.
      if (refused.length < request.length) {
        stuck = 0;
        continue;
      }
      stuck += 1;
      await sleep(backoffMs(stuck, RETRY_MS), signal);
    }
  }

  close(): Promise<void> {
    this.#client.destroy();
    return Promise.resolve();
  }

  /** Puts one request (one stream); returns the records Kinesis refused, in their order. */
  async #put(request: readonly PendingRecord[], signal: AbortSignal): Promise<PendingRecord[]> {
    const stream = request[0]!.stream;
    let out: PutRecordsCommandOutput;
    try {
      out = await this.#client.send(
        new PutRecordsCommand({ StreamName: stream, Records: request.map((r) => r.entry) }),
        { abortSignal: signal },
      );
    } catch (err) {
      // The shipper shows this as the egress's lastError: name the stream and the AWS error.
      throw new Error(`stream ${stream}: ${describeAwsError(err)}`, { cause: err });
    }
    const results = out.Records ?? [];
    const refused = request.filter((_, i) => results[i]?.ErrorCode !== undefined);
    for (const [i, r] of results.entries()) {
      if (r.ErrorCode !== undefined) this.#metrics.retried.inc({ egress: this.id, code: r.ErrorCode });
      else if (i < request.length) this.#metrics.records.inc({ egress: this.id, stream });
    }
    if (refused.length > 0)
      this.#log.debug(
        { stream, refused: refused.length, of: request.length },
        'kinesis refused records; putting them again',
      );
    return refused;
  }

  #decode(records: readonly EgressRecord[]): PendingRecord[] {
    const pending: PendingRecord[] = [];
    for (const r of records) {
      let record: KinesisEgressRecord;
      try {
        record = KinesisEgressRecord.decode(r.value.value);
      } catch {
        this.#metrics.dropped.inc({ egress: this.id, reason: 'undecodable' });
        this.#log.warn({ offset: r.offset }, 'kinesis egress record does not decode; skipped');
        continue;
      }
      const data = this.#envelope ? envelopeOf(this.id, r.offset, record.valueBytes) : record.valueBytes;
      pending.push({
        offset: r.offset,
        stream: record.stream,
        entry: {
          PartitionKey: record.partitionKey,
          Data: data,
          ...(record.explicitHashKey === '' ? {} : { ExplicitHashKey: record.explicitHashKey }),
        },
        bytes: data.length + Buffer.byteLength(record.partitionKey),
      });
    }
    return pending;
  }
}

/**
 * The next request: records of the first pending record's stream, in order, at most one per partition key, within
 * the request's limits. A record joins only if no earlier pending record of its stream and key is left out (so no
 * record overtakes an earlier one of its key). Returns the request and what is left, in order.
 */
export function nextRequest(
  pending: readonly PendingRecord[],
  maxRecords: number,
  maxBytes: number,
): [PendingRecord[], PendingRecord[]] {
  const stream = pending[0]!.stream;
  const taken = new Set<string>();
  const heldBack = new Set<string>();
  const request: PendingRecord[] = [];
  const rest: PendingRecord[] = [];
  let bytes = 0;
  for (const record of pending) {
    const key = `${record.stream}\u0000${record.entry.PartitionKey!}`;
    const isFull = request.length >= maxRecords || (request.length > 0 && bytes + record.bytes > maxBytes);
    if (record.stream !== stream || taken.has(key) || heldBack.has(key) || isFull) {
      heldBack.add(key);
      rest.push(record);
      continue;
    }
    taken.add(key);
    bytes += record.bytes;
    request.push(record);
  }
  return [request, rest];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', abort, { once: true });
  });
}
