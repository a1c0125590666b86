/**
 * @packageDocumentation
 * Internals for the sibling packages of this repository (the testkit, the CLI, tests): no stability promise,
 * never for users. Import from `@statehouse/runtime/internal`.
 */
export { ManualClock, sleep } from './core/clock.js';
export { backoffMs, connectorStatusOf, waitAtMost, WakeableSleeps } from './connectors/connector-kit.js';
