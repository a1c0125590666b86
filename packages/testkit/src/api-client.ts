/** A small client of the runtime's HTTP API, for tests and benchmarks. */
import { request } from 'undici';

/** An answer of the API. */
export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** Talks to one runtime's HTTP API. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;

  /** @param options.token - sent as `authorization: Bearer <token>` on every request. */
  constructor(baseUrl: string, options: { readonly token?: string } = {}) {
    this.baseUrl = baseUrl;
    this.#token = options.token;
  }

  /** POST /v1/ingress/{type}/{id}. */
  async ingress(
    functionType: string,
    id: string,
    value: { typename: string; bytes: Uint8Array | string },
    idempotencyKey?: string,
  ): Promise<ApiAnswer<{ messageId?: string; error?: { code: string; message: string } }>> {
    const headers: Record<string, string> = { 'statefun-type': value.typename };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    return this.#call('POST', `/v1/ingress/${functionType}/${encodeURIComponent(id)}`, headers, value.bytes);
  }

  /** POST a JSON value to /v1/ingress. */
  ingressJson(functionType: string, id: string, typename: string, value: unknown, idempotencyKey?: string) {
    return this.ingress(functionType, id, { typename, bytes: JSON.stringify(value) }, idempotencyKey);
  }

  /** GET /v1/egress/{id}. */
  async egress(egressId: string, from = 0, limit = 1000) {
    return this.#call<{
      records: { offset: number; type: string; bytes: string; json?: unknown }[];
      next: number;
    }>('GET', `/v1/egress/${egressId}?from=${from}&limit=${limit}`);
  }

  /** Every record of a log egress. */
  async allEgress(
    egressId: string,
  ): Promise<{ offset: number; type: string; bytes: string; json?: unknown }[]> {
    const out = [];
    let from = 0;
    for (;;) {
      const page = await this.egress(egressId, from, 1000);
      if (page.status !== 200)
        throw new Error(`egress read failed: ${page.status} ${JSON.stringify(page.body)}`);
      out.push(...page.body.records);
      if (page.body.records.length < 1000) return out;
      from = page.body.next;
    }
  }

  /** GET /v1/state/{type}/{id}. */
  async state(functionType: string, id: string) {
    return this.#call<{
      values?: Record<string, { type: string; bytes: string; json?: unknown }>;
      error?: { code: string };
    }>('GET', `/v1/state/${functionType}/${encodeURIComponent(id)}`);
  }

  /** GET any path, parsing JSON when the answer is JSON. */
  get<T = unknown>(path: string): Promise<ApiAnswer<T>> {
    return this.#call<T>('GET', path);
  }

  /** POST a JSON body to any path. */
  postJson<T = unknown>(path: string, value: unknown): Promise<ApiAnswer<T>> {
    return this.#call<T>('POST', path, { 'content-type': 'application/json' }, JSON.stringify(value));
  }

  async #call<T>(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string> = {},
    body?: Uint8Array | string,
  ): Promise<ApiAnswer<T>> {
    const res = await request(this.baseUrl + path, {
      method,
      headers: this.#token === undefined ? headers : { ...headers, authorization: `Bearer ${this.#token}` },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    const isJson = String(res.headers['content-type'] ?? '').includes('json');
    return {
      status: res.statusCode,
      headers: res.headers,
      body: (isJson && text !== '' ? JSON.parse(text) : text) as T,
    };
  }
}
