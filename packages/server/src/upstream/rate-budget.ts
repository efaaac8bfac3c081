/**
 * A request budget shared by every BFF instance on one store, so the kit stays under a vendor's
 * rate limit (Persona: 300 requests/min per environment) however many users arrive at once.
 * Requests over the budget *wait* for the next window rather than fail; a 429 from the vendor
 * blocks every instance until the time it asked for.
 *
 * Fixed windows aligned to the clock, counted with `store.increment` (`rateWindow`), so two
 * instances share one count without coordination.
 *
 * @module
 */
import { realSleep, systemClock, type Clock, type Sleep } from '../clock'
import { rateWindow } from '../store/records'
import type { ShareflowStore } from '../store/types'

export interface RateBudget {
  /**
   * Resolves when this request may go; throws when waiting would exceed `maxWaitMs`, or with
   * `signal.reason` as soon as `signal` aborts, leaving the queue without taking a slot.
   */
  acquire(signal?: AbortSignal): Promise<void>
  /** Holds every request (on every instance) until `untilMs`, after a vendor 429. */
  blockUntil(untilMs: number): Promise<void>
}

export interface RateBudgetOptions {
  store: ShareflowStore
  /** Key namespace, e.g. `persona`. */
  name: string
  /** Requests per window. */
  limit: number
  /** Default 60 000 (one minute). */
  windowMs?: number
  /** Longest a request may queue before `acquire` gives up. Default 120 000. */
  maxWaitMs?: number
  clock?: Clock
  sleep?: Sleep
  random?: () => number
}

/**
 * `sleep`, cut short when `signal` aborts: a caller who gave up (the browser's request timed
 * out or went away) leaves the queue at once instead of taking a slot in a later window.
 */
export async function sleepUnlessAborted(
  sleep: Sleep,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!signal) return sleep(ms)
  signal.throwIfAborted()
  let onAbort = () => {}
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
  })
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.race([sleep(ms), aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}

export class RateBudgetExhausted extends Error {
  constructor(name: string, waitedMs: number) {
    super(`rate budget "${name}" still exhausted after waiting ${waitedMs} ms`)
    this.name = 'RateBudgetExhausted'
  }
}

/**
 * @example
 * const budget = createRateBudget({ store, name: 'persona', limit: 280 })
 * await budget.acquire() // before each Persona request
 */
export function createRateBudget({
  store,
  name,
  limit,
  windowMs = 60_000,
  maxWaitMs = 120_000,
  clock = systemClock,
  sleep = realSleep,
  random = Math.random,
}: RateBudgetOptions): RateBudget {
  const blockedKey = `rate:${name}:blocked-until`
  return {
    async acquire(signal) {
      const started = clock.now()
      for (;;) {
        signal?.throwIfAborted()
        const now = clock.now()
        if (now - started > maxWaitMs) throw new RateBudgetExhausted(name, now - started)
        const blockedUntil = Number((await store.get(blockedKey)) ?? 0)
        if (blockedUntil > now) {
          await sleepUnlessAborted(sleep, blockedUntil - now + Math.floor(random() * 100), signal)
          continue
        }
        const { allowed, resetAt } = await rateWindow(store, `rate:${name}`, {
          limit,
          windowMs,
          clock,
        })
        if (allowed) return
        // Spread the queue over the first part of the next window instead of a stampede at 0 ms.
        await sleepUnlessAborted(
          sleep,
          resetAt - now + Math.floor(random() * Math.min(windowMs / 10, 2_000)),
          signal,
        )
      }
    },
    async blockUntil(untilMs) {
      const now = clock.now()
      if (untilMs <= now) return
      const current = Number((await store.get(blockedKey)) ?? 0)
      if (current >= untilMs) return
      await store.set(blockedKey, String(untilMs), { ttlMs: untilMs - now })
    },
  }
}
