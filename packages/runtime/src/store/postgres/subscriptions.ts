/**
 * The PostgreSQL store's LISTEN subscriptions: one {@link NotificationListener} connection, opened on first use,
 * and the unsubscribe function of every subscription still active, so that closing the store ends them all.
 */
import type { Logger } from 'pino';

import { NotificationListener } from './notification-listener.js';
import { listenEgress, listenKeyGroups, type KeyGroupWake } from './notify.js';

/** Settings of {@link StoreSubscriptions}: those of the LISTEN connection. */
export interface StoreSubscriptionsOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly logger: Logger | undefined;
}

/** The active subscriptions of one store, on one LISTEN connection. */
export class StoreSubscriptions {
  readonly #options: StoreSubscriptionsOptions;
  readonly #unlisteners = new Set<() => Promise<void>>();
  #listener: NotificationListener | undefined;

  /** @param options - how to open the LISTEN connection. */
  constructor(options: StoreSubscriptionsOptions) {
    this.#options = options;
  }

  /**
   * Subscribes to key-group wake-ups.
   *
   * @see ClusterStore.listen
   * @returns a function that unsubscribes.
   */
  async listenKeyGroups(
    onKeyGroups: (wake: KeyGroupWake) => void,
    onResubscribed?: () => void,
  ): Promise<() => Promise<void>> {
    const listener = this.#notificationListener();
    return this.#track(await listenKeyGroups(listener, onKeyGroups, this.#options.logger, onResubscribed));
  }

  /**
   * Subscribes to egress announcements.
   *
   * @see ClusterStore.listenEgress
   * @returns a function that unsubscribes.
   */
  async listenEgress(onEgress: (egressIds: readonly string[]) => void): Promise<() => Promise<void>> {
    return this.#track(await listenEgress(this.#notificationListener(), onEgress, this.#options.logger));
  }

  /** Unsubscribes every active subscription (failures ignored), then closes the LISTEN connection. */
  async close(): Promise<void> {
    const unlisteners = [...this.#unlisteners];
    this.#unlisteners.clear();
    await Promise.allSettled(unlisteners.map((unlisten) => unlisten()));
    await this.#listener?.close();
    this.#listener = undefined;
  }

  /** Keeps `unlisten` until it is called, so that {@link close} can call it. */
  #track(unlisten: () => Promise<void>): () => Promise<void> {
    const remove = async (): Promise<void> => {
      this.#unlisteners.delete(remove);
      await unlisten();
    };
    this.#unlisteners.add(remove);
    return remove;
  }

  /** The LISTEN connection, opened on first use. */
  #notificationListener(): NotificationListener {
    this.#listener ??= new NotificationListener({
      url: this.#options.url,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      logger: this.#options.logger,
    });
    return this.#listener;
  }
}
