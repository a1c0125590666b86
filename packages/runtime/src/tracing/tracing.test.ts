import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { isTracingOn } from './tracing-env.js';
import { SPAN_NAMES, Tracing } from './tracing.js';

function inMemoryTracing(): { tracing: Tracing; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracing: new Tracing(provider.getTracer('test'), () => provider.shutdown()), exporter };
}

const CART = { type: 'example/cart', id: 'Kim' };

describe('isTracingOn', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, false],
  ])('%j → %s', (env, on) => {
    expect(isTracingOn(env)).toBe(on);
  });

  it('refuses an exporter other than otlp, naming the variable', () => {
    expect(() => isTracingOn({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigError);
    expect(() => isTracingOn({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
  });
});

describe('Tracing', () => {
  it('parents an invocation on its first message and links the other traces of the batch once each', () => {
    const { tracing, exporter } = inMemoryTracing();
    const a = tracing.startIngress(CART, 1, 'http');
    const b = tracing.startIngress(CART, 2, 'http');
    a.end();
    b.end();
    const invoke = tracing.startInvocation(
      CART,
      [{ traceparent: a.traceparent }, { traceparent: b.traceparent }, { traceparent: b.traceparent }, {}],
      3,
    );
    invoke.child(SPAN_NAMES.commit).end();
    invoke.end();

    const [ingressA, ingressB, commit, span] = exporter.getFinishedSpans();
    expect(span!.name).toBe(SPAN_NAMES.invoke);
    expect(span!.spanContext().traceId).toBe(ingressA!.spanContext().traceId);
    expect(span!.parentSpanContext?.spanId).toBe(ingressA!.spanContext().spanId);
    expect(span!.links.map((l) => l.context.spanId)).toEqual([ingressB!.spanContext().spanId]);
    expect(span!.attributes).toMatchObject({
      'statehouse.function.type': 'example/cart',
      'statehouse.function.id': 'Kim',
      'statehouse.invocation.batch_size': 4,
      'statehouse.invocation.attempt': 3,
    });
    expect(commit!.parentSpanContext?.spanId).toBe(span!.spanContext().spanId);
  });

  it('starts a new trace for messages without a traceparent, and continues a client one', () => {
    const { tracing, exporter } = inMemoryTracing();
    tracing.startInvocation(CART, [{}], 1).end();
    tracing
      .startIngress(CART, 1, 'http', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      .fail(new Error('store full'));

    const [root, child] = exporter.getFinishedSpans();
    expect(root!.parentSpanContext).toBeUndefined();
    expect(child!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(child!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(child!.status).toMatchObject({ code: 2, message: 'store full' });
  });
});
