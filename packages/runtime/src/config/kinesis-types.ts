/**
 * The resolved form of the `io.statefun.kinesis.v1/ingress` and `/egress` documents of module.yaml (StateFun
 * 3.x keys and defaults), as {@link loadModuleFiles} returns them.
 */

/** Kind of a StateFun Kinesis ingress: records of Kinesis streams routed to function types. */
export const KINESIS_INGRESS_KIND = 'io.statefun.kinesis.v1/ingress';
/** Kind of a StateFun Kinesis egress: records that functions send are put to Kinesis streams. */
export const KINESIS_EGRESS_KIND = 'io.statefun.kinesis.v1/egress';

/**
 * The AWS region of a Kinesis document (`awsRegion`): the default provider chain's (`AWS_REGION`, the profile),
 * a named one, or a custom endpoint (kinesalite, LocalStack, a VPC endpoint) with the region to sign for.
 */
export type AwsRegionConfig =
  | { readonly type: 'default' }
  | { readonly type: 'specific'; readonly id: string }
  | { readonly type: 'custom-endpoint'; readonly endpoint: string; readonly id: string };

/**
 * The AWS credentials of a Kinesis document (`awsCredentials`): the default provider chain (environment, shared
 * files, SSO, container and instance roles), a key pair written in the file, or a named profile.
 */
export type AwsCredentialsConfig =
  | { readonly type: 'default' }
  | { readonly type: 'basic'; readonly accessKeyId: string; readonly secretAccessKey: string }
  | { readonly type: 'profile'; readonly profileName: string; readonly profilePath: string | undefined };

/** Where a Kinesis ingress starts reading a shard it has no committed position for (`startupPosition`). */
export type KinesisStartupPosition =
  | { readonly type: 'latest' }
  | { readonly type: 'earliest' }
  | {
      readonly type: 'date';
      /** The date as written, `yyyy-MM-dd HH:mm:ss.SSS Z`, e.g. `2020-02-01 04:15:00.000 +0000`. */
      readonly date: string;
      /** The date in milliseconds since the epoch. */
      readonly epochMs: number;
    };

/** One entry of a Kinesis ingress's `streams`: the records of `stream` go to every function type of `targets`. */
export interface KinesisStreamRoute {
  /** The stream name. */
  readonly stream: string;
  /** `valueType`: the typename (`namespace/name`) the record data is passed to the functions as. */
  readonly valueType: string;
  /** `targets`: the function types each record is sent to, addressed by the record's partition key. */
  readonly targets: readonly string[];
}

/** One `io.statefun.kinesis.v1/ingress` document. */
export interface KinesisIngressConfig {
  /** Where it was defined, for messages: `"module.yaml document 2"`. */
  readonly source: string;
  /** The document's kind. */
  readonly kind: typeof KINESIS_INGRESS_KIND;
  /** The ingress id, `namespace/name`; unique among the ingresses. */
  readonly id: string;
  /** @default `{ type: 'default' }` */
  readonly awsRegion: AwsRegionConfig;
  /** @default `{ type: 'default' }` */
  readonly awsCredentials: AwsCredentialsConfig;
  /** @default `{ type: 'latest' }` */
  readonly startupPosition: KinesisStartupPosition;
  /** The streams and where their records go (at least one; each stream once), in the order written. */
  readonly streams: readonly KinesisStreamRoute[];
  /** `clientConfigProperties` as written (values in their string form); see `docs/kinesis.md`. */
  readonly clientConfigProperties: ReadonlyMap<string, string>;
}

/** One `io.statefun.kinesis.v1/egress` document. */
export interface KinesisEgressConfig {
  /** Where it was defined, for messages: `"module.yaml document 3"`. */
  readonly source: string;
  /** The document's kind. */
  readonly kind: typeof KINESIS_EGRESS_KIND;
  /** The egress id, `namespace/name`; unique among all egresses. */
  readonly id: string;
  /** @default `{ type: 'default' }` */
  readonly awsRegion: AwsRegionConfig;
  /** @default `{ type: 'default' }` */
  readonly awsCredentials: AwsCredentialsConfig;
  /**
   * Records put to Kinesis and not yet acknowledged, at most (one PutRecords request carries at most 500).
   * @default 1000
   */
  readonly maxOutstandingRecords: number;
  /**
   * A Statehouse extension (StateFun ignores it): put each record's data inside a JSON envelope
   * `{"id": "<egress id>/<offset>", "data": "<base64>"}`, so that consumers can drop the repeats at-least-once
   * delivery makes (Kinesis records carry no headers). Off, the data is put as the function wrote it.
   * @default false
   */
  readonly recordIdEnvelope: boolean;
  /** `clientConfigProperties` as written (values in their string form); see `docs/kinesis.md`. */
  readonly clientConfigProperties: ReadonlyMap<string, string>;
}
