/**
 * The background jobs of a runtime besides the engine: shipping webhook egresses, and store maintenance
 * (egress retention, pruning, space). In a cluster, the leader (owner of key group 0) runs what must run once.
 */
import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import type { ModuleConfig } from './config/index.js';
import type { RuntimeMetrics } from './engine/metrics.js';
import type { ProcessMode } from './engine/process-mode.js';
import { StoreMaintenance } from './engine/store-maintenance.js';
import { EgressRetention } from './egress/egress-retention.js';
import { HttpEgressShipper } from './egress/http-egress-shipper.js';
import type { ResolvedRuntimeOptions } from './runtime-options.js';
import type { Store } from './store/store.js';

/** The background jobs of a running runtime. */
export interface RuntimeJobs {
  /** Ships webhook egresses; absent when none is configured. */
  readonly shipper: HttpEgressShipper | undefined;
  readonly maintenance: StoreMaintenance;
}

/** What the jobs work on. */
export interface RuntimeJobsDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: RuntimeMetrics;
  readonly mode: ProcessMode;
  readonly clock: Clock;
}

/** Creates (without starting) the background jobs for a module's egresses. */
export function createRuntimeJobs(
  deps: RuntimeJobsDeps,
  options: Pick<ResolvedRuntimeOptions, 'maintenanceIntervalMs' | 'idempotencyWindowMs' | 'lowSpaceBytes'> & {
    readonly module: ModuleConfig;
  },
): RuntimeJobs {
  const { store, log, metrics, mode } = deps;
  // Kafka egresses keep no log of their own to deliver or trim here.
  const egresses = options.module.egresses.flatMap((e) => (e.kind === 'log' || e.kind === 'http' ? [e] : []));
  const webhooks = egresses.flatMap((e) => (e.kind === 'http' ? [{ id: e.id, url: e.url }] : []));
  const shipper =
    webhooks.length === 0
      ? undefined
      : new HttpEgressShipper(
          {
            store,
            egresses: webhooks,
            log,
            clock: deps.clock,
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
  return { shipper, maintenance };
}
