/**
 * Prometheus metrics of one runtime (its own prom-client Registry, so several runtimes can live in one
 * process, e.g. in tests). Names follow `statehouse_<component>_<what>`.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import { LabeledCounter, LabeledHistogram, PlainHistogram } from './hot-path-metrics.js';
import { TrafficFlow } from './traffic-flow.js';

/** Live numbers the gauges read at scrape time. */
export interface MetricsSources {
  /** The durable backlog per function type (pending messages in the store, and the oldest one's age). */
  backlogByType(): ReadonlyMap<string, { readonly messages: number; readonly oldestEnqueuedAt: number }>;
  /** Epoch milliseconds now (for ages). */
  now(): number;
  /** Bytes of the messages held in memory. */
  inboxBytes(): number;
  stalledByType(): ReadonlyMap<string, number>;
  inboxMessages(): number;
  pendingTimers(): number;
  inFlightInvocations(): number;
  cachedAddresses(): number;
  ownedKeyGroups(): number;
  /** Records committed and not yet shipped, per shipped egress (webhooks and connector egresses). */
  egressLag(): Promise<ReadonlyMap<string, number>>;
}

/** The runtime's metrics. */
export class RuntimeMetrics {
  readonly registry = new Registry();
  /** Committed traffic per function type and edge (the console's flow view); not exported to Prometheus. */
  readonly flow = new TrafficFlow();
  /** Counted for every batch (a {@link LabeledCounter}, cheap to count). */
  readonly invocations = new LabeledCounter({
    name: 'statehouse_invocations_total',
    help: 'Successful invocations (one batch each) per function type',
    label: 'function_type',
    registers: [this.registry],
  });
  readonly invocationFailures: Counter<'function_type' | 'reason'> = new Counter({
    name: 'statehouse_invocation_failures_total',
    help: 'Failed invocation attempts per function type and reason (error code)',
    labelNames: ['function_type', 'reason'],
    registers: [this.registry],
  });
  readonly deadLetters: Counter<'function_type'> = new Counter({
    name: 'statehouse_dead_letters_total',
    help: 'Batches moved to the dead letters after failing past their policy, per function type',
    labelNames: ['function_type'],
    registers: [this.registry],
  });
  readonly deadLetterActions: Counter<'action'> = new Counter({
    name: 'statehouse_dead_letter_actions_total',
    help: 'Dead letters replayed into the inbox or discarded (action: replay, discard)',
    labelNames: ['action'],
    registers: [this.registry],
  });
  /** Per function type; observed on every attempt (a {@link LabeledHistogram}, cheap to observe). */
  readonly invocationLatency = new LabeledHistogram({
    name: 'statehouse_invocation_duration_seconds',
    help: 'Duration of one HTTP attempt to a function service',
    label: 'function_type',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  /** Per function type; observed on every batch. */
  readonly batchSize = new LabeledHistogram({
    name: 'statehouse_invocation_batch_size',
    help: 'Messages per invocation batch',
    label: 'function_type',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly incompleteContexts: Counter<'function_type'> = new Counter({
    name: 'statehouse_incomplete_invocation_contexts_total',
    help: 'IncompleteInvocationContext replies (state specs learned) per function type',
    labelNames: ['function_type'],
    registers: [this.registry],
  });
  /** Observed for every commit (a {@link PlainHistogram}, cheap to observe). */
  readonly commitLatency = new PlainHistogram({
    name: 'statehouse_commit_duration_seconds',
    help: 'Duration of one store transaction (group commit), including fsync',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  /** Observed for every commit (a {@link PlainHistogram}, cheap to observe). */
  readonly commitEffectSets = new PlainHistogram({
    name: 'statehouse_commit_effect_sets',
    help: 'Invocation effect sets plus ingress messages per transaction',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  /** Counted for every ingress request (a {@link LabeledCounter}, cheap to count). */
  readonly ingressRequests = new LabeledCounter({
    name: 'statehouse_ingress_requests_total',
    help: 'HTTP ingress requests by response status',
    label: 'status',
    registers: [this.registry],
  });
  /** Counted for every egress record (a {@link LabeledCounter}, cheap to count). */
  readonly egressRecords = new LabeledCounter({
    name: 'statehouse_egress_records_total',
    help: 'Records appended to each egress',
    label: 'egress',
    registers: [this.registry],
  });
  /** Counted for every reply that sends (a {@link LabeledCounter}, cheap to count). */
  readonly outgoingMessages = new LabeledCounter({
    name: 'statehouse_outgoing_messages_total',
    help: 'Messages sent by functions (immediate and delayed) per sending function type',
    label: 'function_type',
    registers: [this.registry],
  });
  readonly ownershipChanges: Counter<'kind'> = new Counter({
    name: 'statehouse_cluster_key_group_changes_total',
    help: 'Key groups acquired, released (handed over) or lost (fenced or expired) by this process',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly egressDelivered: Counter<'egress'> = new Counter({
    name: 'statehouse_egress_delivered_total',
    help: 'Records of shipped egresses delivered (webhook: a 2xx answer; connector: acknowledged by the sink)',
    labelNames: ['egress'],
    registers: [this.registry],
  });
  readonly egressDeliveryFailures: Counter<'egress'> = new Counter({
    name: 'statehouse_egress_delivery_failures_total',
    help: 'Failed deliveries of shipped egress batches (webhook or connector; retried with backoff)',
    labelNames: ['egress'],
    registers: [this.registry],
  });
  readonly fencingAborts: Counter = new Counter({
    name: 'statehouse_cluster_fencing_aborts_total',
    help: 'Commits refused because this process no longer held a key group lease',
    registers: [this.registry],
  });
  readonly refusedEffectSets: Counter<'reason'> = new Counter({
    name: 'statehouse_refused_effect_sets_total',
    help: 'Effect sets of one invocation that the store refused (their address stalls; nothing else is affected)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly storeBytes: Gauge = new Gauge({
    name: 'statehouse_store_bytes',
    help: 'Bytes the store takes on disk (SQLite: database and WAL files; PostgreSQL: the database)',
    registers: [this.registry],
  });
  readonly storeFreeBytes: Gauge = new Gauge({
    name: 'statehouse_store_free_bytes',
    help: "Free bytes of the store's file system (SQLite only)",
    registers: [this.registry],
  });
  readonly storeLowSpace: Gauge = new Gauge({
    name: 'statehouse_store_low_space',
    help: '1 while free space is below the warning threshold (lowSpaceBytes)',
    registers: [this.registry],
  });
  readonly storeFull: Gauge = new Gauge({
    name: 'statehouse_store_full',
    help: '1 while the store refuses writes for lack of space: ingress answers 503, invocations pause',
    registers: [this.registry],
  });
  readonly spaceReclaimed: Counter = new Counter({
    name: 'statehouse_store_reclaimed_bytes_total',
    help: 'Bytes of freed pages given back to the file system (SQLite incremental vacuum)',
    registers: [this.registry],
  });
  readonly egressRetained: Gauge<'egress'> = new Gauge({
    name: 'statehouse_egress_retained_records',
    help: 'Records an egress keeps (its retained range)',
    labelNames: ['egress'],
    registers: [this.registry],
  });
  readonly egressOldestAge: Gauge<'egress'> = new Gauge({
    name: 'statehouse_egress_oldest_record_age_seconds',
    help: 'Age of the oldest record an egress keeps',
    labelNames: ['egress'],
    registers: [this.registry],
  });
  readonly egressTrimmed: Counter<'egress'> = new Counter({
    name: 'statehouse_egress_retention_deleted_total',
    help: 'Egress records deleted by retention',
    labelNames: ['egress'],
    registers: [this.registry],
  });
  readonly egressSkippedUndelivered: Counter<'egress'> = new Counter({
    name: 'statehouse_egress_skipped_undelivered_total',
    help: 'Webhook egress records deleted by retention (maxAge/maxRecords) before they were delivered',
    labelNames: ['egress'],
    registers: [this.registry],
  });

  constructor(sources: MetricsSources, options: { collectProcessMetrics?: boolean } = {}) {
    if (options.collectProcessMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'statehouse_' });
    registerPerTypeGauges(sources, this.registry);
    registerLiveGauges(sources, this.registry);
    new Gauge({
      name: 'statehouse_egress_lag_records',
      help: 'Records of a shipped egress (webhook or connector) committed and not yet delivered',
      labelNames: ['egress'],
      registers: [this.registry],
      async collect() {
        const lags = await sources.egressLag();
        this.reset();
        for (const [egress, lag] of lags) this.set({ egress }, lag);
      },
    });
  }
}

/** Gauges per function type, read at scrape time. */
function registerPerTypeGauges(sources: MetricsSources, registry: Registry): void {
  const registers = [registry];
  new Gauge({
    name: 'statehouse_backlog_messages',
    help: 'Pending messages per function type in the store (cluster mode: of the key groups this process owns)',
    labelNames: ['function_type'],
    registers,
    collect() {
      this.reset();
      for (const [type, b] of sources.backlogByType()) this.set({ function_type: type }, b.messages);
    },
  });
  new Gauge({
    name: 'statehouse_backlog_oldest_age_seconds',
    help: 'Age of the oldest pending message per function type',
    labelNames: ['function_type'],
    registers,
    collect() {
      this.reset();
      const now = sources.now();
      for (const [type, b] of sources.backlogByType()) {
        this.set({ function_type: type }, Math.max(0, (now - b.oldestEnqueuedAt) / 1000));
      }
    },
  });
  new Gauge({
    name: 'statehouse_stalled_addresses',
    help: 'Addresses whose invocation failed past the call budget and is being retried',
    labelNames: ['function_type'],
    registers,
    collect() {
      this.reset();
      for (const [type, n] of sources.stalledByType()) this.set({ function_type: type }, n);
    },
  });
}

/** Gauges of the whole process, read at scrape time. */
function registerLiveGauges(sources: MetricsSources, registry: Registry): void {
  const registers = [registry];
  const simple = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  };
  simple('statehouse_inbox_messages', 'Messages held in memory (waiting or in flight)', () =>
    sources.inboxMessages(),
  );
  simple('statehouse_inbox_bytes', 'Bytes of the messages held in memory (estimated)', () =>
    sources.inboxBytes(),
  );
  simple('statehouse_timers_pending', 'Delayed messages waiting to fire', () => sources.pendingTimers());
  simple('statehouse_invocations_in_flight', 'HTTP invocations in flight', () =>
    sources.inFlightInvocations(),
  );
  simple('statehouse_cluster_owned_key_groups', 'Key groups this process owns', () =>
    sources.ownedKeyGroups(),
  );
  simple('statehouse_state_cache_addresses', 'Addresses whose state is cached', () =>
    sources.cachedAddresses(),
  );
}
