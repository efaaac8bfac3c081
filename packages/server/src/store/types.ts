/**
 * The storage the BFF needs, kept small enough to implement on a Map, a file on disk or Redis:
 * string values under string keys, a few atomic operations, and pub/sub for event fan-out.
 *
 * Everything durable the BFF keeps (the payout journal, idempotency records, webhook
 * de-duplication, KYC records, rate-budget windows) is built on these operations, so one
 * conformance suite proves every adapter (`store/conformance.ts`).
 */
export interface ShareflowStore {
  /** The value under `key`, or `null`. Expired values are `null`. */
  get(key: string): Promise<string | null>
  /** Writes `value` durably before resolving. */
  set(key: string, value: string, options?: StoreWriteOptions): Promise<void>
  /** Writes only if `key` holds nothing; `true` when this call wrote it. The building block of claims and locks. */
  setIfAbsent(key: string, value: string, options?: StoreWriteOptions): Promise<boolean>
  /**
   * Atomically replaces `expected` (`null` = absent) with `value`; `false`, writing nothing, when
   * the stored value is not `expected`. Journal transitions use this so two instances can't both win.
   */
  compareAndSet(
    key: string,
    expected: string | null,
    value: string,
    options?: StoreWriteOptions,
  ): Promise<boolean>
  delete(key: string): Promise<void>
  /** Every live key that starts with `prefix` (for start-up recovery scans; not for hot paths). */
  keys(prefix: string): Promise<string[]>
  /** Adds 1 to a counter that expires `ttlMs` after its first increment; returns the new count. */
  increment(key: string, ttlMs: number): Promise<number>
  /** Delivers `message` to every subscriber of `channel`, on every instance sharing the store. */
  publish(channel: string, message: string): Promise<void>
  /** Calls `listener` for each message published on `channel`; resolves to an unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>
  /** Releases connections, timers and file handles. */
  close(): Promise<void>
}

export interface StoreWriteOptions {
  /** Expire the value this many milliseconds after the write. */
  ttlMs?: number
}
