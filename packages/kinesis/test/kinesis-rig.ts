/**
 * What the Kinesis tests run: kinesalite (in this process, on loopback), a function service, and a
 * `statehouse run` child process on a temp data directory; `stop()` ends all of it.
 */
import {
  BANK_TYPES,
  RuntimeProcess,
  createTempDir,
  moduleYaml,
  startKinesalite,
  type FunctionService,
  type Kinesalite,
  type TempDir,
} from '@statehouse/testkit';

/** A running rig. */
export interface KinesisRig {
  readonly kinesis: Kinesalite;
  readonly service: FunctionService;
  /** Not started: the test starts (and kills) it. */
  readonly runtime: RuntimeProcess;
  stop(): Promise<void>;
}

/**
 * Starts a rig.
 *
 * @param options.module - the module.yaml text for the service's URL and kinesalite's endpoint.
 */
export async function startKinesisRig(options: {
  readonly streams: readonly { readonly name: string; readonly shards: number }[];
  readonly serve: () => Promise<FunctionService>;
  readonly module: (serviceUrl: string, kinesis: Kinesalite) => string;
  readonly runtimeArgs?: readonly string[];
}): Promise<KinesisRig> {
  const kinesis = await startKinesalite();
  for (const s of options.streams) await kinesis.createStream(s.name, s.shards);
  const service = await options.serve();
  const dir: TempDir = await createTempDir();
  const runtime = new RuntimeProcess({
    dataDir: `${dir.path}/data`,
    moduleYaml: options.module(service.url, kinesis),
    ...(options.runtimeArgs === undefined ? {} : { args: options.runtimeArgs }),
  });
  return {
    kinesis,
    service,
    runtime,
    stop: async () => {
      await runtime.stop().catch(() => undefined);
      await service.close();
      await kinesis.stop();
      await dir.cleanup();
    },
  };
}

/** The `awsRegion` and `awsCredentials` lines of a document that talks to kinesalite. */
export function kinesaliteAccess(kinesis: Kinesalite): string[] {
  return [
    '  awsRegion:',
    '    type: custom-endpoint',
    `    endpoint: ${kinesis.endpoint}`,
    `    id: ${kinesis.region}`,
    '  awsCredentials:',
    '    type: basic',
    '    accessKeyId: test',
    '    secretAccessKey: test',
  ];
}

/** The official bank's counter fed by a Kinesis ingress on `stream` (from its start), with its ledger. */
export function incrementsModule(serviceUrl: string, kinesis: Kinesalite, stream: string): string {
  const ingress = [
    'kind: io.statefun.kinesis.v1/ingress',
    'spec:',
    '  id: bank/increments',
    ...kinesaliteAccess(kinesis),
    '  startupPosition:',
    '    type: earliest',
    '  streams:',
    `    - stream: ${stream}`,
    `      valueType: ${BANK_TYPES.increment}`,
    '      targets:',
    '        - bank/counter',
    '  clientConfigProperties:',
    '    - flink.shard.getrecords.intervalmillis: 50',
    '    - flink.shard.discovery.intervalmillis: 500',
    // Refusals reach the reader (and its metric) at once instead of after the AWS SDK's own retries.
    '    - MaxErrorRetry: 0',
  ].join('\n');
  const base = moduleYaml({
    endpoints: [{ functions: 'bank/*', urlPathTemplate: `${serviceUrl}/statefun` }],
    logEgresses: [BANK_TYPES.ledger],
  });
  return `${base.trimEnd()}\n---\n${ingress}\n`;
}
