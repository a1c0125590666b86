/**
 * The AWS SDK v3 Kinesis client of a Kinesis document: region and endpoint from `awsRegion`, credentials from
 * `awsCredentials` (the default provider chain unless the document says otherwise), and the honoured
 * `clientConfigProperties` on the HTTP handler and the SDK's retries. The HTTP/1.1 handler is used: Kinesis
 * serves it, and so do kinesalite and other local stand-ins, which the SDK's default HTTP/2 handler fails on.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialsConfig, AwsRegionConfig } from '@statehouse/runtime';

/** What a Kinesis document says about its client. */
export interface KinesisClientDocument {
  readonly awsRegion: AwsRegionConfig;
  readonly awsCredentials: AwsCredentialsConfig;
  readonly clientConfigProperties: ReadonlyMap<string, string>;
}

/** Retries of one request by the SDK when `MaxErrorRetry` is not set (the connectors back off beyond them). */
const DEFAULT_MAX_ATTEMPTS = 3;

/** The client configuration of a document (see {@link createKinesisClient}). */
export function kinesisClientConfig(document: KinesisClientDocument): KinesisClientConfig {
  const p = document.clientConfigProperties;
  const numberOf = (key: string): number | undefined => (p.has(key) ? Number(p.get(key)) : undefined);
  const maxSockets = numberOf('MaxConnections') ?? 50;
  // As in the AWS SDK for Java: SocketTimeout is how long a connection may stay silent, RequestTimeout how long a
  // whole request may take. Both fail the request (smithy's requestTimeout alone would only log a warning).
  const socketTimeout = numberOf('SocketTimeout') ?? 30_000;
  const requestTimeout = numberOf('RequestTimeout') ?? 120_000;
  const connectionTimeout = numberOf('ConnectionTimeout') ?? numberOf('ConnectTimeout') ?? 5_000;
  const retries = numberOf('MaxErrorRetry');
  const region = document.awsRegion;
  return {
    ...(region.type === 'default' ? {} : { region: region.id }),
    ...(region.type === 'custom-endpoint' ? { endpoint: region.endpoint } : {}),
    ...credentialsOf(document.awsCredentials),
    maxAttempts: retries === undefined ? DEFAULT_MAX_ATTEMPTS : retries + 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout,
      socketTimeout,
      requestTimeout,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  };
}

/** A Kinesis client for a document. */
export function createKinesisClient(document: KinesisClientDocument): KinesisClient {
  return new KinesisClient(kinesisClientConfig(document));
}

/** Where a client's credentials come from; nothing means the SDK's default provider chain. */
function credentialsOf(credentials: AwsCredentialsConfig): Pick<KinesisClientConfig, 'credentials'> {
  switch (credentials.type) {
    case 'default':
      return {};
    case 'basic':
      return {
        credentials: {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
        },
      };
    case 'profile':
      return {
        credentials: fromIni({
          profile: credentials.profileName,
          ...(credentials.profilePath === undefined ? {} : { filepath: credentials.profilePath }),
        }),
      };
  }
}

/** The endpoint or region a client talks to, for log lines and status. */
export function describeTarget(region: AwsRegionConfig): string {
  switch (region.type) {
    case 'default':
      return 'Kinesis (default region)';
    case 'specific':
      return `Kinesis ${region.id}`;
    case 'custom-endpoint':
      return `${region.endpoint} (${region.id})`;
  }
}

/**
 * An AWS error as `<name>: <message>` (the name says what: ResourceNotFoundException, UnrecognizedClientException),
 * with the fix where the SDK's message does not say it.
 */
export function describeAwsError(err: unknown): string {
  const name = (err as { name?: string }).name;
  const message = err instanceof Error ? err.message : String(err);
  const text = `${name === undefined || name === 'Error' ? '' : `${name}: `}${message}`;
  if (/region is missing/iu.test(message))
    return `${text} (set awsRegion in the module.yaml document, or AWS_REGION in the runtime's environment)`;
  return text;
}
