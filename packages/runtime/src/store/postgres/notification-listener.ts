/**
 * LISTEN on a connection of its own that comes back by itself. postgres.js's `sql.listen` re-subscribes after a
 * connection loss, but if that attempt fails (the server is still restarting) it drops the subscription
 * silently, for good. Here every close schedules a re-subscription, retried with backoff until it succeeds, and
 * the subscriber hears about it (notifications sent while the connection was down are lost).
 */
import type { Logger } from 'pino';
import postgres from 'postgres';
import { reconnectDelaySeconds } from './sql.js';

/** Settings of a {@link NotificationListener}. */
export interface NotificationListenerOptions {
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly logger: Logger | undefined;
  /** First and longest wait between re-subscription attempts, ms. @default 100, 2000 */
  readonly retryMs?: { readonly initial: number; readonly max: number };
}

type Handler = (payload: string) => void;

/** One LISTEN connection serving several channels. */
export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #onResubscribed = new Set<() => void>();
  readonly #sql: postgres.Sql;
  #closed = false;
  #lost = false;
  #resubscribing: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
    // `onnotify` is an option the driver honours but does not declare in its types.
    const notify = { onnotify: (channel: string, payload: string) => this.#dispatch(channel, payload) };
    this.#sql = postgres(options.url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      fetch_types: false,
      connect_timeout: Math.max(1, Math.ceil(options.connectTimeoutMs / 1000)),
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
      connection: { application_name: 'statehouse-listen' },
      onclose: () => this.#scheduleResubscribe(),
      ...notify,
    });
  }

  /**
   * Subscribes `handler` to `channel` (LISTEN on first use of the channel).
   *
   * @param onResubscribed - called after the connection was lost and every channel is listened to again.
   * @returns a function that unsubscribes.
   */
  async listen(channel: string, handler: Handler, onResubscribed?: () => void): Promise<() => Promise<void>> {
    let handlers = this.#handlers.get(channel);
    const isNew = handlers === undefined;
    if (handlers === undefined) {
      handlers = new Set();
      this.#handlers.set(channel, handlers);
    }
    handlers.add(handler);
    if (onResubscribed !== undefined) this.#onResubscribed.add(onResubscribed);
    try {
      if (isNew) await this.#sql.unsafe(`LISTEN ${quote(channel)}`);
    } catch (err) {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(channel);
      if (onResubscribed !== undefined) this.#onResubscribed.delete(onResubscribed);
      throw err;
    }
    return async () => {
      handlers.delete(handler);
      if (onResubscribed !== undefined) this.#onResubscribed.delete(onResubscribed);
      if (handlers.size > 0 || this.#handlers.get(channel) !== handlers) return;
      this.#handlers.delete(channel);
      if (!this.#closed) await this.#sql.unsafe(`UNLISTEN ${quote(channel)}`).catch(() => undefined);
    };
  }

  /** Closes the connection; no more re-subscriptions. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#handlers.clear();
    this.#onResubscribed.clear();
    await this.#sql.end({ timeout: 1 }).catch(() => undefined);
  }

  #dispatch(channel: string, payload: string): void {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (err) {
        // Runs inside the driver's socket handler: a throw there would break the connection.
        this.#options.logger?.error({ err, channel }, 'notification handler failed');
      }
    }
  }

  #scheduleResubscribe(): void {
    this.#lost = true;
    if (this.#closed || this.#handlers.size === 0 || this.#resubscribing !== undefined) return;
    this.#resubscribing = this.#resubscribe()
      .catch((err: unknown) => this.#options.logger?.error({ err }, 'LISTEN re-subscription failed'))
      .finally(() => (this.#resubscribing = undefined));
  }

  async #resubscribe(): Promise<void> {
    const { initial, max } = this.#options.retryMs ?? { initial: 100, max: 2_000 };
    let attempt = 0;
    // A close seen while re-subscribing sets #lost again: go round until a LISTEN outlives every close.
    while (this.#lost && !this.#closed && this.#handlers.size > 0) {
      this.#lost = false;
      await new Promise<void>((resolve) => {
        this.#retryTimer = setTimeout(resolve, Math.min(max, initial * 2 ** attempt++));
        this.#retryTimer.unref();
      });
      if (this.#closed) return;
      try {
        for (const channel of this.#handlers.keys()) await this.#sql.unsafe(`LISTEN ${quote(channel)}`);
      } catch (err) {
        this.#lost = true;
        this.#options.logger?.debug({ err, attempt }, 'LISTEN not re-established yet; retrying');
        continue;
      }
      if (this.#lost) continue;
      this.#options.logger?.warn(
        'the LISTEN connection was re-established; wake-ups sent meanwhile are reloaded',
      );
      for (const callback of this.#onResubscribed) {
        try {
          callback();
        } catch (err) {
          this.#options.logger?.error({ err }, 'resubscription callback failed');
        }
      }
    }
  }
}

function quote(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}
