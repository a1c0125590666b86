import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  ASYNC_TRANSPORT_TYPE,
  OKHTTP_TRANSPORT_TYPE,
  type FunctionPolicyConfig,
  type HttpEgressConfig,
  type LogEgressConfig,
  type TlsConfig,
  type TransportConfig,
} from './module-types.js';
import { isRecord, raise } from './problems.js';
import { duration, integer, strictObject, typename } from './schema-fields.js';
import { checkHttpUrl, checkUrlCredentials, checkUrlTemplate, maskUrlCredentials } from './url-template.js';

// The zod schemas of the `spec` of each supported kind. They validate, apply StateFun's defaults and convert
// to the resolved shapes of module-types.ts; load-module.ts adds where each document came from. Every object
// is strict: an unknown (or misspelt) key is an error, unlike StateFun, which ignores it.

const MIB = 1024 * 1024;

/** A path to a PEM file (`trust_cacerts`, `client_cert`, …): a file path or a `file:` URL. */
const filePath = z.string().transform((text, ctx) => {
  if (text.startsWith('classpath:')) {
    raise(
      ctx,
      'ERR_CONFIG_INVALID_VALUE',
      'expected a file path ("classpath:" resources exist only on the JVM)',
      text,
    );
    return z.NEVER;
  }
  if (text.startsWith('file:')) {
    try {
      return fileURLToPath(text);
    } catch {
      raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected a file path or a file:// URL', text);
      return z.NEVER;
    }
  }
  if (text.trim() === '') {
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', 'expected a file path', text);
    return z.NEVER;
  }
  return text;
});

const urlPathTemplate = z.string().superRefine((value, ctx) => {
  const credentials = checkUrlCredentials(value);
  if (credentials !== undefined) {
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', credentials, maskUrlCredentials(value));
    return;
  }
  const problem = checkUrlTemplate(value);
  if (problem !== undefined) raise(ctx, 'ERR_CONFIG_INVALID_URL', problem, value);
});

const webhookUrl = z.string().superRefine((value, ctx) => {
  const problem = checkHttpUrl(value);
  if (problem !== undefined) raise(ctx, 'ERR_CONFIG_INVALID_URL', problem, value);
});

/** `timeouts` of the OkHttp transport (under `transport` in v2, under `spec` in v1). */
const okHttpTimeouts = strictObject({
  call: duration({ positive: true }).default(60_000),
  connect: duration({ positive: true }).default(10_000),
  read: duration({ positive: true }).default(10_000),
  write: duration({ positive: true }).default(10_000),
}).superRefine((timeouts, ctx) => {
  for (const key of ['connect', 'read', 'write'] as const) {
    if (timeouts[key] > timeouts.call) {
      raise(
        ctx,
        'ERR_CONFIG_CONFLICTING_FIELDS',
        `must not exceed timeouts.call (${timeouts.call} ms) but is ${timeouts[key]} ms (10 s when not set); ` +
          `raise call or lower ${key}`,
        undefined,
        { path: [key] },
      );
    }
  }
});

function okHttpTransport(timeouts: z.output<typeof okHttpTimeouts>): TransportConfig {
  return {
    type: 'okhttp',
    callMs: timeouts.call,
    connectMs: timeouts.connect,
    readMs: timeouts.read,
    writeMs: timeouts.write,
    // StateFun's shared OkHttp client keeps up to 1024 idle connections for 1 minute.
    poolTtlMs: 60_000,
    poolSize: 1024,
    payloadMaxBytes: 32 * MIB,
  };
}

const okHttpTransportSpec = strictObject({
  type: z.literal(OKHTTP_TRANSPORT_TYPE),
  timeouts: okHttpTimeouts.prefault({}),
}).transform((spec) => okHttpTransport(spec.timeouts));

const asyncTransportSpec = strictObject({
  type: z.literal(ASYNC_TRANSPORT_TYPE),
  call: duration({ positive: true }).optional(),
  connect: duration({ positive: true }).optional(),
  timeouts: strictObject({
    call: duration({ positive: true }).default(60_000),
    connect: duration({ positive: true }).default(10_000),
  }).optional(),
  pool_ttl: duration({ positive: false }).default(15_000),
  pool_size: integer({ min: 1, expected: 'a positive integer' }).default(1024),
  payload_max_bytes: integer({ min: 1, expected: 'a positive integer (bytes)' }).default(32 * MIB),
  trust_cacerts: filePath.optional(),
  client_cert: filePath.optional(),
  client_key: filePath.optional(),
  client_key_password: filePath.optional(),
})
  .superRefine((spec, ctx) => {
    // StateFun lets the legacy `timeouts` silently win over `call`/`connect`; we name the conflict instead.
    if (spec.timeouts !== undefined) {
      for (const key of ['call', 'connect'] as const) {
        if (spec[key] !== undefined) {
          raise(
            ctx,
            'ERR_CONFIG_CONFLICTING_FIELDS',
            `conflicts with timeouts.${key} (the legacy form); set ${key} either directly under transport or ` +
              'in timeouts, not both',
            undefined,
            { path: [key] },
          );
        }
      }
    }
    const pairs = [
      ['client_cert', 'client_key'],
      ['client_key', 'client_cert'],
      ['client_key_password', 'client_key'],
    ] as const;
    for (const [present, required] of pairs) {
      if (spec[present] !== undefined && spec[required] === undefined) {
        raise(ctx, 'ERR_CONFIG_MISSING_FIELD', `is required when ${present} is set`, undefined, {
          path: [required],
        });
      }
    }
  })
  .transform((spec): TransportConfig => {
    const tls: TlsConfig = {
      ...(spec.trust_cacerts === undefined ? {} : { trustCaCertsPath: spec.trust_cacerts }),
      ...(spec.client_cert === undefined ? {} : { clientCertPath: spec.client_cert }),
      ...(spec.client_key === undefined ? {} : { clientKeyPath: spec.client_key }),
      ...(spec.client_key_password === undefined ? {} : { clientKeyPasswordPath: spec.client_key_password }),
    };
    return {
      type: 'async',
      callMs: spec.timeouts?.call ?? spec.call ?? 120_000,
      connectMs: spec.timeouts?.connect ?? spec.connect ?? 20_000,
      poolTtlMs: spec.pool_ttl,
      poolSize: spec.pool_size,
      payloadMaxBytes: spec.payload_max_bytes,
      ...(Object.keys(tls).length === 0 ? {} : { tls }),
    };
  });

/** `spec.transport` of a v2 endpoint; `type` defaults to the async transport. */
const transportSpec = z.preprocess(
  (value) => (isRecord(value) && !('type' in value) ? { ...value, type: ASYNC_TRANSPORT_TYPE } : value),
  z.discriminatedUnion('type', [asyncTransportSpec, okHttpTransportSpec]),
);

const endpointFields = {
  functions: typename(true),
  urlPathTemplate,
  maxNumBatchRequests: integer({ expected: 'an integer' })
    .default(1000)
    .transform((n) => (n <= 0 ? Number.POSITIVE_INFINITY : n)),
};

function toEndpoint(spec: {
  functions: { text: string; namespace: string; name: string };
  urlPathTemplate: string;
  maxNumBatchRequests: number;
  transport: TransportConfig;
}) {
  return {
    functions: spec.functions.text,
    namespace: spec.functions.namespace,
    name: spec.functions.name,
    urlPathTemplate: spec.urlPathTemplate,
    maxNumBatchRequests: spec.maxNumBatchRequests,
    transport: spec.transport,
  };
}

/** `spec` of `io.statefun.endpoints.v2/http`. */
export const endpointV2SpecSchema = strictObject({
  ...endpointFields,
  transport: transportSpec.prefault({}),
}).transform(toEndpoint);

/** `spec` of `io.statefun.endpoints.v1/http`: `timeouts` at spec level, always OkHttp. */
export const endpointV1SpecSchema = strictObject({
  ...endpointFields,
  timeouts: okHttpTimeouts.prefault({}),
}).transform(({ timeouts, ...spec }) => toEndpoint({ ...spec, transport: okHttpTransport(timeouts) }));

/** Default retention of a log egress: records are kept 7 days. */
export const DEFAULT_LOG_EGRESS_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a webhook egress keeps records after they were delivered. */
export const DEFAULT_DELIVERED_GRACE_MS = 60 * 1000;

/** `retention` of our egresses: how long and how many records are kept. */
const retentionFields = {
  maxAge: duration({ positive: true }).optional(),
  maxRecords: integer({ min: 1, expected: 'a whole number of records ≥ 1' }).optional(),
};
const retentionSpec = strictObject(retentionFields);
/** A webhook egress also says how long delivered records stay. */
const webhookRetentionSpec = strictObject({
  ...retentionFields,
  deliveredGrace: duration({ positive: false }).optional(),
});

/** `spec` of `io.statehouse.egress.v1/log`. */
export const logEgressSpecSchema = strictObject({
  id: typename(false),
  retention: retentionSpec.optional(),
}).transform((spec): Omit<LogEgressConfig, 'source'> => ({
  kind: 'log',
  id: spec.id.text,
  retention: {
    // Explicit limits replace the default age; with only maxRecords set, age does not limit.
    maxAgeMs:
      spec.retention === undefined
        ? DEFAULT_LOG_EGRESS_MAX_AGE_MS
        : (spec.retention.maxAge ??
          (spec.retention.maxRecords === undefined ? DEFAULT_LOG_EGRESS_MAX_AGE_MS : undefined)),
    maxRecords: spec.retention?.maxRecords,
  },
}));

/** `spec` of `io.statehouse.egress.v1/http`. */
export const httpEgressSpecSchema = strictObject({
  id: typename(false),
  url: webhookUrl,
  retention: webhookRetentionSpec.optional(),
}).transform((spec): Omit<HttpEgressConfig, 'source'> => ({
  kind: 'http',
  id: spec.id.text,
  url: spec.url,
  retention: {
    maxAgeMs: spec.retention?.maxAge,
    maxRecords: spec.retention?.maxRecords,
    deliveredGraceMs: spec.retention?.deliveredGrace ?? DEFAULT_DELIVERED_GRACE_MS,
  },
}));

/** `deadLetters` of a function policy: when a failing batch is moved aside (at least one limit). */
const deadLetterSpec = strictObject({
  maxAttempts: integer({ min: 1, expected: 'a positive integer (failed attempts)' }).optional(),
  maxAge: duration({ positive: true }).optional(),
}).superRefine((spec, ctx) => {
  if (spec.maxAttempts === undefined && spec.maxAge === undefined) {
    raise(
      ctx,
      'ERR_CONFIG_INVALID_VALUE',
      'set maxAttempts, maxAge or both (without either, remove deadLetters: failing batches then stall)',
      spec,
      { showInput: false },
    );
  }
});

/** `spec` of `io.statehouse.functions.v1/policy`. */
export const functionPolicySpecSchema = strictObject({
  functions: typename(true),
  maxBacklog: integer({ min: 1, expected: 'a positive integer (messages)' }).optional(),
  deadLetters: deadLetterSpec.optional(),
}).transform((spec): Omit<FunctionPolicyConfig, 'source'> => ({
  functions: spec.functions.text,
  namespace: spec.functions.namespace,
  name: spec.functions.name,
  maxBacklog: spec.maxBacklog,
  deadLetters:
    spec.deadLetters === undefined
      ? undefined
      : { maxAttempts: spec.deadLetters.maxAttempts, maxAgeMs: spec.deadLetters.maxAge },
}));
