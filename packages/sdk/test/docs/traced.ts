import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { defineFunction, type InvocationTrace } from '@statehouse/sdk';

const tracer = trace.getTracer('example-pricing');

/** The runtime's invocation span as the parent of the function's spans (a new trace when there is none). */
function parentOf(invocation: InvocationTrace | undefined) {
  if (invocation === undefined) return ROOT_CONTEXT;
  const { traceId, spanId, traceFlags } = invocation;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags, isRemote: true });
}

export const pricing = defineFunction({
  type: 'example/pricing',
  state: {},
  handle(ctx, message) {
    const span = tracer.startSpan('look up price', {}, parentOf(ctx.trace));
    try {
      span.setAttribute('item', message.asString());
      // ... call the price service, passing ctx.trace?.traceparent on as its traceparent header ...
    } finally {
      span.end();
    }
  },
});
