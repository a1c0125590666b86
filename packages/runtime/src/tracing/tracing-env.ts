/**
 * Turns tracing on from the standard OpenTelemetry environment variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/), read once when the runtime
 * starts. Tracing is on when `OTEL_TRACES_EXPORTER` names `otlp`, or, without it, when an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`); `OTEL_SDK_DISABLED=true` and
 * `OTEL_TRACES_EXPORTER=none` keep it off. The OpenTelemetry SDK itself reads the rest (endpoint, headers,
 * timeouts, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), as the spec says.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ConfigError } from '../errors.js';
import { STATEHOUSE_VERSION } from '../snapshot/version.js';
import { Tracing } from './tracing.js';

/** The environment variables tracing reads, by name. */
export type TracingEnv = Readonly<Record<string, string | undefined>>;

/**
 * Whether the environment turns tracing on.
 *
 * @param env - the process environment.
 * @returns true when spans are to be exported over OTLP.
 * @throws {@link ConfigError} `ERR_CONFIG_INVALID_OPTION` when `OTEL_TRACES_EXPORTER` names an exporter other than
 *   `otlp` or `none`.
 */
export function isTracingOn(env: TracingEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  if (exporters.length === 0) {
    return (
      nonEmpty(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) || nonEmpty(env['OTEL_EXPORTER_OTLP_ENDPOINT'])
    );
  }
  const unsupported = exporters.filter((e) => e !== 'otlp' && e !== 'none');
  if (unsupported.length > 0) {
    throw new ConfigError(
      'ERR_CONFIG_INVALID_OPTION',
      `OTEL_TRACES_EXPORTER is "${env['OTEL_TRACES_EXPORTER']}": Statehouse exports traces with "otlp" ` +
        `(OTLP/HTTP, JSON) only; set OTEL_TRACES_EXPORTER=otlp, or none to turn tracing off.`,
    );
  }
  return exporters.includes('otlp') && !exporters.includes('none');
}

function nonEmpty(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/**
 * Creates the runtime's tracing from the environment.
 *
 * @param env - the process environment.
 * @returns the tracing, or `undefined` when the environment leaves it off.
 * @throws {@link ConfigError} see {@link isTracingOn}.
 */
export function createTracingFromEnv(env: TracingEnv): Tracing | undefined {
  if (!isTracingOn(env)) return undefined;
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by the env detector) win over our defaults.
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: 'statehouse',
    [ATTR_SERVICE_VERSION]: STATEHOUSE_VERSION,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  return new Tracing(provider.getTracer('@statehouse/runtime', STATEHOUSE_VERSION), () =>
    provider.shutdown(),
  );
}
