/**
 * The trace context of an invocation: the W3C `traceparent` header the Statehouse runtime sends when it traces
 * (official StateFun runtimes send none). The SDK depends on no OpenTelemetry package: it hands the header and its
 * ids to user code, which continues the trace with its own tracer (see "Traces" in docs/sdk.md).
 */
import { parseTraceparent } from '@statehouse/protocol';

/**
 * The W3C trace context of an invocation (`ctx.trace`).
 *
 * @experimental
 */
export interface InvocationTrace {
  /** The `traceparent` header as received, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  readonly traceparent: string;
  /** The trace id: 32 lowercase hex characters. */
  readonly traceId: string;
  /** The runtime's invocation span, the parent of spans the function makes: 16 lowercase hex characters. */
  readonly spanId: string;
  /** The trace flags byte (bit 0: sampled). */
  readonly traceFlags: number;
  /** Whether the runtime records this trace (the sampled flag). */
  readonly isSampled: boolean;
}

/**
 * Reads the trace context of a request.
 *
 * @param traceparent - the `traceparent` header, if the request had one.
 * @returns the trace, or `undefined` when the header is absent or not valid.
 */
export function traceOf(traceparent: string | null | undefined): InvocationTrace | undefined {
  const parsed = parseTraceparent(traceparent ?? undefined);
  if (parsed === undefined) return undefined;
  return Object.freeze({
    traceparent: traceparent!.trim(),
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parsed.traceFlags,
    isSampled: (parsed.traceFlags & 1) === 1,
  });
}
