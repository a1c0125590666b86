/**
 * The sink of an `io.statehouse.egress.v1/http` egress: each batch is one POST of JSON records, each with its
 * stable id, and an `idempotency-key` naming the batch's offsets; any 2xx answer delivers it.
 */
import { request } from 'undici';
import { toApiValue } from '../core/value-json.js';
import type { EgressRecord } from '../store/store.js';
import type { EgressSink } from './egress-shipper.js';

/** Per-request timeout of a webhook POST, ms. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** A sink POSTing the records of egress `id` to `url`. */
export function webhookSink(id: string, url: string, timeoutMs = WEBHOOK_TIMEOUT_MS): EgressSink {
  return {
    id,
    target: url,
    deliver: async (records: readonly EgressRecord[], signal: AbortSignal) => {
      const from = records[0]!.offset;
      const last = records[records.length - 1]!.offset;
      const body = JSON.stringify({
        egress: id,
        records: records.map((r) => ({ id: `${id}/${r.offset}`, offset: r.offset, ...toApiValue(r.value) })),
      });
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `${id}/${from}-${last}` },
        body,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode > 299)
        throw new Error(`${url} answered HTTP ${res.statusCode}`);
    },
  };
}
