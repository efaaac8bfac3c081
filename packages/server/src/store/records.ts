/**
 * Typed helpers on top of any `ShareflowStore`: JSON records checked by a zod schema, optimistic
 * updates, leased locks, fixed-window counters and one-time claims. They use only the store's
 * atomic operations, so they are exactly as atomic as the store under them (across processes
 * with Redis, within one process otherwise).
 *
 * Web Standards only.
 */
import type { ZodType } from 'zod'
import type { StoreClock } from './table'
import type { ShareflowStore, StoreWriteOptions } from './types'

/** A stored value that is not JSON, or not the shape its schema describes. */
export class StoreRecordError extends Error {
  override name = 'StoreRecordError'
  constructor(
    readonly key: string,
    options: { cause: unknown },
  ) {
    // Neither the value nor the schema's complaint goes in the message: both may carry user data.
    super(`The record under "${key}" is not valid JSON for its schema`, options)
  }
}

/** `updateJson` lost the race for a key more times than it was allowed to try. */
export class StoreContentionError extends Error {
  override name = 'StoreContentionError'
  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`Gave up updating "${key}" after ${attempts} attempts lost to concurrent writers`)
  }
}

/** `withLock` could not take the lock before its wait ran out. */
export class LockUnavailableError extends Error {
  override name = 'LockUnavailableError'
  constructor(readonly key: string) {
    super(`The lock "${key}" is held by someone else`)
  }
}

const decode = <T>(key: string, raw: string | null, schema: ZodType<T>): T | null => {
  if (raw === null) return null
  try {
    return schema.parse(JSON.parse(raw))
  } catch (error) {
    throw new StoreRecordError(key, { cause: error })
  }
}

// Parsing on the way in too means a record that would not read back is never written.
const encode = <T>(value: T, schema: ZodType<T>): string => JSON.stringify(schema.parse(value))

/**
 * Reads the JSON record under `key`, checked by `schema`; `null` when there is none.
 * Throws `StoreRecordError` when the stored value does not parse.
 *
 * @example
 * const payout = await getJson(store, `payout:${id}`, PayoutRecord)
 */
export async function getJson<T>(
  store: ShareflowStore,
  key: string,
  schema: ZodType<T>,
): Promise<T | null> {
  return decode(key, await store.get(key), schema)
}

/**
 * Writes `value` as JSON under `key` after checking it against `schema`.
 *
 * @example
 * await putJson(store, `payout:${id}`, PayoutRecord, record)
 */
export async function putJson<T>(
  store: ShareflowStore,
  key: string,
  schema: ZodType<T>,
  value: T,
  options?: StoreWriteOptions,
): Promise<void> {
  await store.set(key, encode(value, schema), options)
}

/**
 * Writes `value` only when `key` holds nothing; `true` when this call wrote it.
 *
 * @example
 * const first = await putJsonIfAbsent(store, `idem:${userId}:${key}`, IdempotencyRecord, record, { ttlMs })
 */
export async function putJsonIfAbsent<T>(
  store: ShareflowStore,
  key: string,
  schema: ZodType<T>,
  value: T,
  options?: StoreWriteOptions,
): Promise<boolean> {
  return store.setIfAbsent(key, encode(value, schema), options)
}

export interface UpdateJsonOptions extends StoreWriteOptions {
  /** How many lost races to tolerate before throwing `StoreContentionError`. Default 1000. */
  maxAttempts?: number
}

/**
 * Reads the record under `key`, passes it to `change`, and writes what `change` returns, but only
 * if nobody wrote the key in between (compare-and-set); otherwise reads again and retries. So
 * `change` may run more than once and must not have side effects.
 *
 * `change` returns the new record, `undefined` to leave the key as it is, or `null` to delete it.
 * Resolves to the record as this call left it.
 *
 * @example
 * const next = await updateJson(store, `payout:${id}`, PayoutRecord, (payout) =>
 *   payout?.status === 'submitted' ? { ...payout, status: 'pending' } : undefined,
 * )
 */
export async function updateJson<T>(
  store: ShareflowStore,
  key: string,
  schema: ZodType<T>,
  change: (current: T | null) => T | null | undefined,
  { maxAttempts = 1000, ...writeOptions }: UpdateJsonOptions = {},
): Promise<T | null> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const raw = await store.get(key)
    const current = decode(key, raw, schema)
    const next = change(current)
    if (next === undefined) return current
    if (next === null) {
      if (raw === null || (await store.compareAndDelete(key, raw))) return null
    } else {
      const encoded = encode(next, schema)
      if (await store.compareAndSet(key, raw, encoded, writeOptions)) return next
    }
    await backOff(attempt)
  }
  throw new StoreContentionError(key, maxAttempts)
}

// After a few immediate retries, wait a random moment that grows with the losses, so writers on
// several instances stop colliding in lockstep.
const backOff = (attempt: number) =>
  attempt < 3
    ? Promise.resolve()
    : new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)))

export interface WithLockOptions {
  /** How long to keep trying while someone else holds the lock; 0 tries once. Default: `ttlMs`. */
  waitMs?: number
}

/**
 * Runs `fn` while holding the lease `key` (at most one holder among everyone sharing the store),
 * then releases it. The lease expires after `ttlMs` even if its holder dies, so `ttlMs` must
 * exceed `fn`'s longest run; release only deletes the lease this call took (a random token and
 * `compareAndDelete`), never a successor's. Throws `LockUnavailableError` when the wait runs out.
 *
 * A lease keeps work from running twice at once; it does not by itself make money movements safe
 * (a paused holder can outlive its lease), so journal transitions still use `compareAndSet`.
 *
 * @example
 * await withLock(store, 'lock:recovery', 60_000, () => recoverPayouts())
 */
export async function withLock<T>(
  store: ShareflowStore,
  key: string,
  ttlMs: number,
  fn: () => Promise<T>,
  { waitMs = ttlMs }: WithLockOptions = {},
): Promise<T> {
  const token = crypto.randomUUID()
  const giveUpAt = Date.now() + waitMs
  const pollMs = Math.max(5, Math.min(50, Math.floor(ttlMs / 10)))
  while (!(await store.setIfAbsent(key, token, { ttlMs }))) {
    if (Date.now() >= giveUpAt) throw new LockUnavailableError(key)
    await new Promise((resolve) => setTimeout(resolve, pollMs * (0.5 + Math.random())))
  }
  try {
    return await fn()
  } finally {
    await store.compareAndDelete(key, token)
  }
}

export interface RateWindowOptions {
  /** How many calls each window allows. */
  limit: number
  /** The window's length; windows start at multiples of it since the epoch. */
  windowMs: number
  /** Defaults to `Date.now`. */
  clock?: StoreClock
}

export interface RateWindowResult {
  /** Whether this call fits in the window. */
  allowed: boolean
  /** Calls counted in this window so far, this one included. */
  count: number
  /** Calls left in this window. */
  remaining: number
  /** When the next window starts (epoch ms), as a `RateLimit-Reset` header would say. */
  resetAt: number
}

/**
 * Counts a call in the current fixed window of `key` and says whether it is within `limit`;
 * shared by every instance on the same store, so a budget like Persona's 300 requests/min holds
 * across all of them. A refused call is still counted.
 *
 * @example
 * const { allowed, resetAt } = await rateWindow(store, 'budget:persona', { limit: 300, windowMs: 60_000 })
 */
export async function rateWindow(
  store: ShareflowStore,
  key: string,
  options: RateWindowOptions,
): Promise<RateWindowResult> {
  return countInWindow(store, key, options, (windowKey, ttlMs) => store.increment(windowKey, ttlMs))
}

/**
 * Where `key`'s current window stands without counting a call: `allowed` while a call made now
 * would fit. For budgets that count only some outcomes (refused webhook deliveries), checked
 * before the work and counted after it.
 */
export async function peekRateWindow(
  store: ShareflowStore,
  key: string,
  options: RateWindowOptions,
): Promise<RateWindowResult> {
  return countInWindow(store, key, options, async (windowKey) => {
    // Counting as if this call were made, so `allowed` means the same as `rateWindow`'s.
    return Number((await store.get(windowKey)) ?? 0) + 1
  })
}

/** The current window of `key` and the count `read` gives for it (this call included). */
async function countInWindow(
  store: ShareflowStore,
  key: string,
  { limit, windowMs, clock = { now: () => Date.now() } }: RateWindowOptions,
  read: (windowKey: string, ttlMs: number) => Promise<number>,
): Promise<RateWindowResult> {
  const now = clock.now()
  const windowStart = now - (now % windowMs)
  const resetAt = windowStart + windowMs
  const count = await read(`${key}:${windowStart}`, Math.max(1, resetAt - now))
  return { allowed: count <= limit, count, remaining: Math.max(0, limit - count), resetAt }
}

/**
 * Claims `key` for `ttlMs`; `true` for exactly one caller among everyone sharing the store, until
 * the claim expires or is deleted. Webhook de-duplication claims the event id this way; deleting
 * the key after a failed attempt lets the vendor's retry through.
 *
 * @example
 * if (!(await claimOnce(store, `webhook:persona:${event.id}`, 7 * 86_400_000))) return c.body(null, 200)
 */
export async function claimOnce(
  store: ShareflowStore,
  key: string,
  ttlMs: number,
): Promise<boolean> {
  return store.setIfAbsent(key, '1', { ttlMs })
}
