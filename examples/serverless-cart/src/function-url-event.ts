/**
 * The event AWS hands a Lambda behind a function URL (payload format 2.0), built from a plain HTTP request, and the
 * reply written back from the Lambda's result: the two conversions of the local function URL, without any I/O.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { LambdaHttpResult } from '@statehouse/sdk';

/** A function URL's request event (payload format 2.0), the fields AWS sends. */
export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  /** The query string without `?`; empty when there is none. */
  readonly rawQueryString: string;
  /** Header names lower-cased; repeated headers joined with `,`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: '$default';
    readonly stage: '$default';
    /** E.g. `06/Dec/2026:15:57:11 +0000`. */
    readonly time: string;
    readonly timeEpoch: number;
  };
  /** The body: text, or base64 when `isBase64Encoded`; absent when the request has none. */
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

/** The parts of an HTTP request a function URL event is made of. */
export interface PlainHttpRequest {
  readonly method: string;
  /** Path and query, e.g. `/statefun?x=1`. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** `1.1` or `2.0`. */
  readonly httpVersion: string;
  readonly sourceIp: string;
  readonly body: Buffer;
}

/** The HTTP reply written for a Lambda result. */
export interface PlainHttpReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The id in a function URL's host name (`<id>.lambda-url.<region>.on.aws`); any 32 lower-case letters. */
const URL_ID = 'localfunctionurlstandin000000000';
const REGION = 'us-east-1';

// Function URLs pass these bodies as text; anything else (e.g. the protobuf of StateFun's protocol) as base64.
const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)\b|[^;]*\+(json|xml)\b)/i;

/**
 * Builds the event AWS would hand the Lambda for this request to its function URL.
 *
 * @param request - the HTTP request as received.
 * @param now - the time of the request (tests pass a fixed one).
 * @returns the payload format 2.0 event.
 */
export function toFunctionUrlEvent(request: PlainHttpRequest, now = new Date()): FunctionUrlEvent {
  const target = new URL(request.url, 'http://function-url.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = request.headers.cookie?.split(/;\s*/).filter((c) => c !== '');
  const contentType = headers['content-type'] ?? '';
  const isText = TEXT_TYPES.test(contentType);
  const domainName = `${URL_ID}.lambda-url.${REGION}.on.aws`;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: target.pathname,
    rawQueryString: target.search.slice(1),
    headers,
    ...(cookies !== undefined && cookies.length > 0 ? { cookies } : {}),
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: URL_ID,
      domainName,
      domainPrefix: URL_ID,
      http: {
        method: request.method.toUpperCase(),
        path: target.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0 ? { body: request.body.toString(isText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: request.body.length > 0 && !isText,
  };
}

/**
 * The HTTP reply a function URL writes for a Lambda's result.
 *
 * @param result - what the handler returned.
 * @returns status, headers and the body's bytes (decoded from base64 when `isBase64Encoded`).
 */
export function fromLambdaResult(result: LambdaHttpResult): PlainHttpReply {
  return {
    status: result.statusCode,
    headers: { ...result.headers },
    body: Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `06/Dec/2026:15:57:11 +0000`: the time format of `requestContext.time`. */
function clfTime(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const day = `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}
