/** Waiting for something that a broker which stopped answering could hold up indefinitely. */

/**
 * How long stopping waits for a consumer to leave its group or a producer to disconnect, ms. A broker that hangs
 * would keep a stop waiting for kafkajs's request timeouts.
 */
export const STOP_WAIT_MS = 5_000;

export { waitAtMost } from '@statehouse/runtime/internal';
