/** Ingress POSTs that report their HTTP status, and counts of the statuses a load got. */
import type { Pool } from 'undici';

/** How many responses of each status (`"202"`, `"503"`, …; `"error"` for a request that threw). */
export type StatusCounts = Record<string, number>;

/** Adds one response to `counts`. */
export function countStatus(counts: StatusCounts, status: number | 'error'): void {
  const key = String(status);
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The sum of several {@link StatusCounts}. */
export function sumStatuses(...all: readonly StatusCounts[]): StatusCounts {
  const out: StatusCounts = {};
  for (const counts of all) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Responses other than 202 (the ones a healthy target should never get). */
export function refusals(counts: StatusCounts): number {
  return Object.entries(counts).reduce((n, [k, v]) => (k === '202' ? n : n + v), 0);
}

/** What an ingress POST answered: its status and, unless 202, the start of its body. */
export interface IngressAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs one ingress message.
 *
 * @returns its status (and the body excerpt when not 202).
 * @throws when the request itself fails (connection refused or reset).
 */
export async function postIngressStatus(
  pool: Pool,
  functionType: string,
  id: string,
  typename: string,
  body: string,
): Promise<IngressAnswer> {
  const res = await pool.request({
    method: 'POST',
    path: `/v1/ingress/${functionType}/${encodeURIComponent(id)}`,
    headers: { 'statefun-type': typename, 'content-type': 'application/json' },
    body,
  });
  if (res.statusCode === 202) {
    await res.body.dump();
    return { status: 202, body: '' };
  }
  return { status: res.statusCode, body: (await res.body.text()).slice(0, 300) };
}
