import { z } from 'zod';
import { kinesisProperties } from './kinesis-properties.js';
import {
  KINESIS_EGRESS_KIND,
  KINESIS_INGRESS_KIND,
  type AwsCredentialsConfig,
  type AwsRegionConfig,
  type KinesisEgressConfig,
  type KinesisIngressConfig,
  type KinesisStartupPosition,
  type KinesisStreamRoute,
} from './kinesis-types.js';
import { raise } from './problems.js';
import {
  integer,
  nonEmptyText,
  routeList,
  startupDate,
  strictObject,
  targetList,
  typename,
} from './schema-fields.js';

// The zod schemas of the `spec` of `io.statefun.kinesis.v1/ingress` and `/egress`, with StateFun's keys and
// defaults (region and credentials from the default provider chain, reading from `latest`, 1000 outstanding
// records).

const REGION_SYNTAX = 'an AWS region such as "us-east-1" or "eu-west-1"';
const STREAM_NAME_SYNTAX = 'a Kinesis stream name: 1-128 characters of a-z, A-Z, 0-9, _ . -';

const regionId = z.string().superRefine((text, ctx) => {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/u.test(text))
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${REGION_SYNTAX}`, text);
});

const endpointUrl = z.string().superRefine((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // Reported below.
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    raise(
      ctx,
      'ERR_CONFIG_INVALID_VALUE',
      'expected an absolute http:// or https:// URL, e.g. "http://localhost:4567"',
      text,
    );
  }
});

const awsRegion = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('default') }),
  strictObject({ type: z.literal('specific'), id: regionId }),
  strictObject({ type: z.literal('custom-endpoint'), endpoint: endpointUrl, id: regionId }),
]) satisfies z.ZodType<AwsRegionConfig>;

const awsCredentials = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('default') }),
  strictObject({ type: z.literal('basic'), accessKeyId: nonEmptyText, secretAccessKey: nonEmptyText }),
  strictObject({
    type: z.literal('profile'),
    profileName: nonEmptyText,
    profilePath: nonEmptyText.optional(),
  }).transform((c): AwsCredentialsConfig => ({ ...c, profilePath: c.profilePath })),
]);

const startupPosition = z.discriminatedUnion('type', [
  strictObject({ type: z.literal('earliest') }),
  strictObject({ type: z.literal('latest') }),
  strictObject({ type: z.literal('date'), date: startupDate }).transform(
    (position): KinesisStartupPosition => ({ type: 'date', ...position.date }),
  ),
]);

const streamName = z.string().superRefine((text, ctx) => {
  if (!/^[a-zA-Z0-9_.-]{1,128}$/u.test(text))
    raise(ctx, 'ERR_CONFIG_INVALID_VALUE', `expected ${STREAM_NAME_SYNTAX}`, text);
});

const streamRoute = strictObject({
  stream: streamName,
  valueType: typename(false),
  targets: targetList,
}).transform((route): KinesisStreamRoute => ({
  stream: route.stream,
  valueType: route.valueType.text,
  targets: route.targets.map((target) => target.text),
}));

const streams = routeList(streamRoute, (route) => route.stream, {
  entry: 'stream ({stream, valueType, targets})',
  field: 'stream',
  list: 'spec.streams',
});

/** `spec` of `io.statefun.kinesis.v1/ingress`. */
export const kinesisIngressSpecSchema = strictObject({
  id: typename(false),
  awsRegion: awsRegion.optional(),
  awsCredentials: awsCredentials.optional(),
  startupPosition: startupPosition.optional(),
  streams,
  clientConfigProperties: kinesisProperties('ingress').optional(),
}).transform((spec): Omit<KinesisIngressConfig, 'source'> => ({
  kind: KINESIS_INGRESS_KIND,
  id: spec.id.text,
  awsRegion: spec.awsRegion ?? { type: 'default' },
  awsCredentials: spec.awsCredentials ?? { type: 'default' },
  startupPosition: spec.startupPosition ?? { type: 'latest' },
  streams: spec.streams,
  clientConfigProperties: spec.clientConfigProperties?.values ?? new Map(),
}));

/** `spec` of `io.statefun.kinesis.v1/egress`. */
export const kinesisEgressSpecSchema = strictObject({
  id: typename(false),
  awsRegion: awsRegion.optional(),
  awsCredentials: awsCredentials.optional(),
  maxOutstandingRecords: integer({ min: 1, expected: 'a whole number ≥ 1' }).optional(),
  recordIdEnvelope: z.boolean().optional(),
  clientConfigProperties: kinesisProperties('egress').optional(),
}).transform((spec): Omit<KinesisEgressConfig, 'source'> => ({
  kind: KINESIS_EGRESS_KIND,
  id: spec.id.text,
  awsRegion: spec.awsRegion ?? { type: 'default' },
  awsCredentials: spec.awsCredentials ?? { type: 'default' },
  maxOutstandingRecords: spec.maxOutstandingRecords ?? 1000,
  recordIdEnvelope: spec.recordIdEnvelope ?? false,
  clientConfigProperties: spec.clientConfigProperties?.values ?? new Map(),
}));
