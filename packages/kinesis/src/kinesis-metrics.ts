/** The Kinesis connectors' metrics, registered once per runtime registry. */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The metrics of the Kinesis ingresses of one runtime. */
export interface KinesisIngressMetrics {
  /** Records ingested (turned into messages and committed), per ingress and stream. */
  readonly records: Counter<'ingress' | 'stream'>;
  /** Records skipped (a partition key that cannot be an id), per ingress and stream. */
  readonly skipped: Counter<'ingress' | 'stream'>;
  /** Reads refused by Kinesis for throughput (`ProvisionedThroughputExceeded`), per ingress and stream. */
  readonly throttled: Counter<'ingress' | 'stream'>;
  /** How far the last read of a shard was behind its newest record, ms (Kinesis's `MillisBehindLatest`). */
  readonly millisBehind: Gauge<'ingress' | 'stream' | 'shard'>;
}

/** The metrics of the Kinesis egresses of one runtime. */
export interface KinesisEgressMetrics {
  /** Records put to Kinesis and acknowledged, per egress and stream. */
  readonly records: Counter<'egress' | 'stream'>;
  /** Records Kinesis refused in a PutRecords and that were put again, per egress and error code. */
  readonly retried: Counter<'egress' | 'code'>;
  /** Records left out because they do not decode as a KinesisEgressRecord. */
  readonly dropped: Counter<'egress' | 'reason'>;
}

const ingressByRegistry = new WeakMap<Registry, KinesisIngressMetrics>();
const egressByRegistry = new WeakMap<Registry, KinesisEgressMetrics>();

/** The ingress metrics in `registry`, created on first use (several ingresses share them, by label). */
export function kinesisIngressMetrics(registry: Registry): KinesisIngressMetrics {
  let metrics = ingressByRegistry.get(registry);
  if (metrics === undefined) {
    const registers = [registry];
    metrics = {
      records: new Counter({
        name: 'statehouse_kinesis_ingress_records_total',
        help: 'Kinesis records ingested (committed as messages with their shard positions)',
        labelNames: ['ingress', 'stream'],
        registers,
      }),
      skipped: new Counter({
        name: 'statehouse_kinesis_ingress_records_skipped_total',
        help: 'Kinesis records skipped: a partition key that cannot be a function id',
        labelNames: ['ingress', 'stream'],
        registers,
      }),
      throttled: new Counter({
        name: 'statehouse_kinesis_ingress_throttled_total',
        help: 'Kinesis reads refused for throughput (ProvisionedThroughputExceeded); read again after a backoff',
        labelNames: ['ingress', 'stream'],
        registers,
      }),
      millisBehind: new Gauge({
        name: 'statehouse_kinesis_ingress_millis_behind_latest',
        help: 'How far the last read of a shard was behind the newest record of the shard, ms',
        labelNames: ['ingress', 'stream', 'shard'],
        registers,
      }),
    };
    ingressByRegistry.set(registry, metrics);
  }
  return metrics;
}

/** The egress metrics in `registry`, created on first use. */
export function kinesisEgressMetrics(registry: Registry): KinesisEgressMetrics {
  let metrics = egressByRegistry.get(registry);
  if (metrics === undefined) {
    const registers = [registry];
    metrics = {
      records: new Counter({
        name: 'statehouse_kinesis_egress_records_total',
        help: 'Records put to Kinesis and acknowledged',
        labelNames: ['egress', 'stream'],
        registers,
      }),
      retried: new Counter({
        name: 'statehouse_kinesis_egress_records_retried_total',
        help: 'Records a PutRecords refused (throttling, internal failure) and that were put again',
        labelNames: ['egress', 'code'],
        registers,
      }),
      dropped: new Counter({
        name: 'statehouse_kinesis_egress_records_dropped_total',
        help: 'Records left out because they do not decode as a KinesisEgressRecord',
        labelNames: ['egress', 'reason'],
        registers,
      }),
    };
    egressByRegistry.set(registry, metrics);
  }
  return metrics;
}
