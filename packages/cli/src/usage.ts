/** Help texts of the CLI. */
import { runFlagsUsage } from './run-flags.js';

export const MAIN_USAGE = `statehouse — a stateful-functions runtime compatible with Apache Flink Stateful Functions 3.x

Usage:
  statehouse run <module.yaml> [options]   Run the functions, ingresses and egresses of a module
  statehouse cluster status --store URL    Members, key groups per member and backlog of a cluster
  statehouse --help                        Show this help
  statehouse --version                     Show the version

Run "statehouse run --help" for the options of run.`;

export const RUN_USAGE = `Usage: statehouse run <module.yaml> [more module files...] [options]

Runs a Statehouse runtime for the given StateFun 3.x module file(s).

Options:
${runFlagsUsage()}

HTTP API (see docs/runtime.md):
  POST /v1/ingress/{namespace}/{name}/{id}   header statefun-type: <typename>; optional idempotency-key
  GET  /v1/egress/{namespace}/{name}?from=OFFSET&limit=N&wait=MS   (wait: long-poll until records exist)
  GET  /v1/state/{namespace}/{name}/{id}
  GET  /v1/stalled, /healthz, /readyz, /metrics

Stops cleanly on SIGTERM or SIGINT (Ctrl-C).`;

export const CLUSTER_USAGE = `Usage: statehouse cluster status --store postgres://... [--json] [--lease-timeout-ms N]

Shows the members of a cluster (heartbeat age, advertised address), how many key groups each owns, and the
messages and timers pending in each member's key groups, with the age of the oldest message and the backlog
per function type.`;
