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
  /** Writes `value` durably before resolving. Every write replaces the key's expiry: no `ttlMs`, no expiry. */
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
  /**
   * Atomically deletes `key` only while it still holds `expected`; `true` when this call deleted it.
   * Releasing a lock or a claim uses this, so a holder whose lease expired can't delete its successor's.
   */
  compareAndDelete(key: string, expected: string): Promise<boolean>
  delete(key: string): Promise<void>
  /** Every live key that starts with `prefix`, sorted (for start-up recovery scans; not for hot paths). */
  keys(prefix: string): Promise<string[]>
  /**
   * Adds 1 to a counter that expires `ttlMs` after its first increment (later increments keep that
   * expiry); returns the new count. Rejects when the key holds something other than an integer.
   */
  increment(key: string, ttlMs: number): Promise<number>
  /** Delivers `message` to every subscriber of `channel`, on every instance sharing the store. */
  publish(channel: string, message: string): Promise<void>
  /** Calls `listener` for each message published on `channel`; resolves to an unsubscribe function. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>
  /** Releases connections, timers and file handles; calling it again does nothing. */
  close(): Promise<void>
}

export interface StoreWriteOptions {
  /** Expire the value this many milliseconds after the write (a positive integer). */
  ttlMs?: number
}

/**
 * The store could not be reached: its server is down, or the connection to it is. Nothing was
 * written by the call that failed with this (it was never sent). The BFF answers it as
 * `503 upstream_unavailable` with `Retry-After`, at once rather than when the request's ceiling
 * runs out.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError'
  /** Seconds after which trying again is worth it. */
  readonly retryAfterSeconds: number
  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5
  }
}
