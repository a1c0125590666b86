/**
 * The runtime's OpenTelemetry spans: one trace per ingress message and everything it caused. A message carries the
 * W3C `traceparent` of the span that produced it (stored with it, see `StoredMessage.traceparent`), so an
 * invocation continues the trace of its batch's first message and links the others, whether the message came
 * live or was paged in from the store after a restart.
 *
 * Off costs nothing: the engine holds `Tracing | undefined` and tests it once per call site; without tracing no
 * span, context or string is made, and messages carry `traceparent: undefined`.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { formatTraceparent, parseTraceparent } from '@statehouse/protocol';
import type { FunctionAddress } from '../core/address.js';

/** Span names. */
export const SPAN_NAMES = Object.freeze({
  ingress: 'statehouse.ingress',
  invoke: 'statehouse.invoke',
  commit: 'statehouse.commit',
  egressShip: 'statehouse.egress.ship',
});

/** Span attribute names. */
export const SPAN_ATTRIBUTES = Object.freeze({
  functionType: 'statehouse.function.type',
  functionId: 'statehouse.function.id',
  messageSeq: 'statehouse.message.seq',
  ingressSource: 'statehouse.ingress.source',
  batchSize: 'statehouse.invocation.batch_size',
  attempt: 'statehouse.invocation.attempt',
  egressId: 'statehouse.egress.id',
  egressRecords: 'statehouse.egress.records',
  egressFirstOffset: 'statehouse.egress.first_offset',
});

/** One span of the runtime, and the `traceparent` that continues it. */
export class TraceSpan {
  readonly #tracer: Tracer;
  readonly span: Span;
  #traceparent: string | undefined;

  constructor(tracer: Tracer, span: Span) {
    this.#tracer = tracer;
    this.span = span;
  }

  /** The W3C `traceparent` of this span: stored with what it produces, sent to the function. */
  get traceparent(): string {
    return (this.#traceparent ??= formatTraceparent(this.span.spanContext()));
  }

  /**
   * Starts a child span.
   *
   * @param name - the child's name.
   * @returns the child.
   */
  child(name: string): TraceSpan {
    const context = trace.setSpan(ROOT_CONTEXT, this.span);
    return new TraceSpan(this.#tracer, this.#tracer.startSpan(name, { kind: SpanKind.INTERNAL }, context));
  }

  /** Ends the span as failed with `err`. */
  fail(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.span.recordException(error);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    this.span.end();
  }

  /** Ends the span. */
  end(): void {
    this.span.end();
  }
}

/** What a traced message needs to show: its `traceparent`. */
interface Traced {
  readonly traceparent?: string | undefined;
}

/** The spans of a runtime whose tracing is on. */
export class Tracing {
  readonly #tracer: Tracer;
  readonly #shutdown: () => Promise<void>;

  /**
   * @param tracer - where spans are made.
   * @param shutdown - flushes and stops the exporter (called by {@link Tracing.close}).
   */
  constructor(tracer: Tracer, shutdown: () => Promise<void>) {
    this.#tracer = tracer;
    this.#shutdown = shutdown;
  }

  /**
   * Starts the span of one ingress message (until its commit): the root of the message's trace, or a child of the
   * client's `traceparent`.
   *
   * @param target - the addressed function.
   * @param seq - the message's inbox seq.
   * @param source - `http`, or the connector's ingress id.
   * @param parent - the `traceparent` the client sent, if any.
   */
  startIngress(target: FunctionAddress, seq: number, source: string, parent?: string): TraceSpan {
    const attributes: Attributes = {
      [SPAN_ATTRIBUTES.functionType]: target.type,
      [SPAN_ATTRIBUTES.functionId]: target.id,
      [SPAN_ATTRIBUTES.messageSeq]: seq,
      [SPAN_ATTRIBUTES.ingressSource]: source,
    };
    const span = this.#tracer.startSpan(
      SPAN_NAMES.ingress,
      { kind: SpanKind.PRODUCER, attributes },
      contextOf(parent),
    );
    return new TraceSpan(this.#tracer, span);
  }

  /**
   * Starts the span of one invocation attempt: a child of the first message's span, linked to the spans of the
   * batch's other messages (a batch holds messages of several traces).
   *
   * @param address - the invoked address.
   * @param batch - its messages.
   * @param attempt - 1 for the first attempt of this batch.
   */
  startInvocation(address: FunctionAddress, batch: readonly Traced[], attempt: number): TraceSpan {
    const attributes: Attributes = {
      [SPAN_ATTRIBUTES.functionType]: address.type,
      [SPAN_ATTRIBUTES.functionId]: address.id,
      [SPAN_ATTRIBUTES.batchSize]: batch.length,
      [SPAN_ATTRIBUTES.attempt]: attempt,
    };
    return this.#startLinked(SPAN_NAMES.invoke, SpanKind.CLIENT, attributes, batch);
  }

  /**
   * Starts the span of one delivery of egress records to their sink: a child of the first record's producer span,
   * linked to the others'.
   *
   * @param egressId - the egress.
   * @param records - the records delivered.
   * @param firstOffset - the offset of the first.
   */
  startEgressShipping(egressId: string, records: readonly Traced[], firstOffset: number): TraceSpan {
    const attributes: Attributes = {
      [SPAN_ATTRIBUTES.egressId]: egressId,
      [SPAN_ATTRIBUTES.egressRecords]: records.length,
      [SPAN_ATTRIBUTES.egressFirstOffset]: firstOffset,
    };
    return this.#startLinked(SPAN_NAMES.egressShip, SpanKind.PRODUCER, attributes, records);
  }

  /** Flushes the spans not exported yet and stops exporting. */
  close(): Promise<void> {
    return this.#shutdown();
  }

  #startLinked(name: string, kind: SpanKind, attributes: Attributes, items: readonly Traced[]): TraceSpan {
    const first = parseSpanContext(items[0]?.traceparent);
    const links: Link[] = [];
    const seen = new Set<string>();
    if (first !== undefined) seen.add(first.spanId);
    for (let i = 1; i < items.length; i++) {
      const other = parseSpanContext(items[i]!.traceparent);
      if (other === undefined || seen.has(other.spanId)) continue;
      seen.add(other.spanId);
      links.push({ context: other });
    }
    const parent = first === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, first);
    return new TraceSpan(this.#tracer, this.#tracer.startSpan(name, { kind, attributes, links }, parent));
  }
}

function parseSpanContext(traceparent: string | undefined): SpanContext | undefined {
  const parsed = parseTraceparent(traceparent);
  if (parsed === undefined) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.traceFlags, isRemote: true };
}

function contextOf(traceparent: string | undefined): Context {
  const parent = parseSpanContext(traceparent);
  return parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
}
