/**
 * The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/#traceparent-header), as the
 * runtime sends it with each invocation request and stores it with each message. One parser for both sides:
 * the runtime continues traces through it and the SDK exposes it to user code.
 */

/** The HTTP header that carries the trace context of an invocation. */
export const TRACEPARENT_HEADER = 'traceparent';

/** A parsed `traceparent`: the trace, the parent span and its flags. */
export interface TraceParent {
  /** 32 lowercase hex characters, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex characters, not all zero: the span of the caller (the runtime's invocation span). */
  readonly spanId: string;
  /** The trace flags byte; bit 0 is "sampled". */
  readonly traceFlags: number;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/u;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a `traceparent` header value.
 *
 * @param value - the header value (surrounding whitespace is ignored).
 * @returns the trace id, span id and flags; `undefined` when the value is absent or not valid (version `ff`,
 *   all-zero ids, wrong lengths or characters, or version `00` with extra fields).
 */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

/**
 * Formats a `traceparent` header value (version `00`).
 *
 * @param parent - the trace id, span id and flags.
 * @returns e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
 */
export function formatTraceparent(parent: TraceParent): string {
  const flags = (parent.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${parent.traceId}-${parent.spanId}-${flags}`;
}
