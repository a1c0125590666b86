/**
 * The background jobs of a runtime besides the engine: shipping webhook egresses, and store maintenance
 * (egress retention, pruning, space), scheduled snapshots. In a cluster, the leader (owner of key group 0) runs what must run once.
 */
import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import type { ModuleConfig } from './config/index.js';
import type { RuntimeMetrics } from './engine/metrics.js';
import type { ProcessMode } from './engine/process-mode.js';
import { StoreMaintenance } from './engine/store-maintenance.js';
import { EgressRetention } from './egress/egress-retention.js';
import { EgressShipper, type EgressSink } from './egress/egress-shipper.js';
import { webhookSink } from './egress/webhook-sink.js';
import { pluginFor } from './runtime-connectors.js';
import { ScheduledSnapshots } from './snapshot/scheduled-snapshots.js';
import type { ResolvedRuntimeOptions } from './runtime-options.js';
import type { Store } from './store/store.js';
import type { Tracing } from './tracing/tracing.js';

/** The background jobs of a running runtime. */
export interface RuntimeJobs {
  /** Ships webhook and connector egresses; absent when none is configured. */
  readonly shipper: EgressShipper | undefined;
  readonly maintenance: StoreMaintenance;
  /** Scheduled snapshots; absent when not configured. */
  readonly snapshots: ScheduledSnapshots | undefined;
}

/** What the jobs work on. */
export interface RuntimeJobsDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly mode: ProcessMode;
  readonly clock: Clock;
  /** The runtime's tracing; `undefined` when it is off. */
  readonly tracing: Tracing | undefined;
}

/** Creates (without starting) the background jobs for a module's egresses. */
export function createRuntimeJobs(
  deps: RuntimeJobsDeps,
  options: Pick<
    ResolvedRuntimeOptions,
    'maintenanceIntervalMs' | 'idempotencyWindowMs' | 'lowSpaceBytes' | 'connectors' | 'snapshots'
  > & {
    readonly module: ModuleConfig;
  },
): RuntimeJobs {
  const { store, log, metrics, mode } = deps;
  const egresses = options.module.egresses;
  const sinks: EgressSink[] = egresses.flatMap((e): EgressSink[] => {
    if (e.kind === 'log') return [];
    if (e.kind === 'http') return [webhookSink(e.id, e.url)];
    // A connector egress (checked by checkConnectors: its plugin is there).
    const plugin = pluginFor(options.connectors, 'egressKinds', e.kind)!;
    return [plugin.createEgress(e, { log: log.child({ egress: e.id }), registry: metrics.registry })];
  });
  const shipper =
    sinks.length === 0
      ? undefined
      : new EgressShipper(
          {
            store,
            sinks,
            log,
            clock: deps.clock,
            tracing: deps.tracing,
            observer: {
              onDelivered: (egress, n) => metrics.egressDelivered.inc({ egress }, n),
              onFailed: (egress) => metrics.egressDeliveryFailures.inc({ egress }),
            },
          },
          { isShipper: () => mode.isLeader() },
        );
  const retention = new EgressRetention(
    {
      store,
      log,
      clock: deps.clock,
      isPruner: () => mode.isLeader(),
      observer: {
        onTrimmed: (egress, n) => metrics.egressTrimmed.inc({ egress }, n),
        onSkippedUndelivered: (egress, n) => metrics.egressSkippedUndelivered.inc({ egress }, n),
      },
    },
    { egresses },
  );
  const maintenance = new StoreMaintenance(
    { store, retention, metrics, log, clock: deps.clock },
    {
      egressIds: egresses.map((e) => e.id),
      intervalMs: options.maintenanceIntervalMs,
      idempotencyWindowMs: options.idempotencyWindowMs,
      lowSpaceBytes: options.lowSpaceBytes,
    },
  );
  return { shipper, maintenance, snapshots: scheduledSnapshots(deps, options.snapshots) };
}

/** The scheduled snapshots, taken by the leader (every process in single-process mode is its own leader). */
function scheduledSnapshots(
  deps: RuntimeJobsDeps,
  options: ResolvedRuntimeOptions['snapshots'],
): ScheduledSnapshots | undefined {
  if (options === undefined) return undefined;
  const { store, log, metrics, mode, clock } = deps;
  return new ScheduledSnapshots(
    { store, log, registry: metrics.registry, clock, isTaker: () => mode.isLeader() },
    options,
  );
}
