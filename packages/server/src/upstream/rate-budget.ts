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
   * Requests go in the order they asked (on one instance; instances share the windows).
   */
  acquire(signal?: AbortSignal): Promise<void>
  /** Holds every request (on every instance) until `untilMs`, after a vendor 429. */
  blockUntil(untilMs: number): Promise<void>
  /**
   * How long a request that asked now would wait, judged from this instance's queue: the time to
   * the next window once this window is spent, plus one window per `limit` requests ahead of it.
   * An estimate (other instances share the windows), for telling a user when to come back.
   */
  waitEstimateMs(): number
}

export interface RateBudgetOptions {
  store: ShareflowStore
  /** Key namespace, e.g. `persona`. */
  name: string
  /** Requests per window. */
  limit: number
  /** Default 60 000 (one minute). */
  windowMs?: number
  /**
   * Longest a request may queue before `acquire` gives up. Default 600 000: the queue is served
   * in order, so a burst of users is worked through rather than failed (a BFF request answers
   * long before that; work kept in line for a user's retry waits its turn here).
   */
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
  maxWaitMs = 600_000,
  clock = systemClock,
  sleep = realSleep,
  random = Math.random,
}: RateBudgetOptions): RateBudget {
  const blockedKey = `rate:${name}:blocked-until`
  interface Waiter {
    since: number
    go(): void
    fail(error: unknown): void
  }
  const queue: Waiter[] = []
  let pumping = false
  /** When the window this instance found spent ends (0: none known to be spent). */
  let spentUntil = 0
  let blockedUntilKnown = 0

  /**
   * One loop per instance hands out slots in arrival order: the head of the queue takes the next
   * slot, and only the loop sleeps until a window opens. (Every waiter polling for itself made
   * the queue a lottery: a request that had waited longest could lose to one that just came.)
   */
  async function pump() {
    if (pumping) return
    pumping = true
    try {
      while (queue.length > 0) {
        const now = clock.now()
        // Waiters join at the back, so the ones that have waited too long are all at the front.
        while (queue.length > 0 && now - queue[0]!.since > maxWaitMs) {
          const waiter = queue.shift()!
          waiter.fail(new RateBudgetExhausted(name, now - waiter.since))
        }
        if (queue.length === 0) break
        const blockedUntil = Number((await store.get(blockedKey)) ?? 0)
        blockedUntilKnown = blockedUntil
        if (blockedUntil > now) {
          await sleep(blockedUntil - now + Math.floor(random() * 100))
          continue
        }
        const { allowed, resetAt } = await rateWindow(store, `rate:${name}`, {
          limit,
          windowMs,
          clock,
        })
        if (allowed) {
          spentUntil = 0
          queue.shift()?.go()
          continue
        }
        spentUntil = resetAt
        // Instances sharing the store wake at slightly different times rather than all at 0 ms.
        await sleep(resetAt - now + Math.floor(random() * Math.min(windowMs / 50, 200)))
      }
    } finally {
      pumping = false
    }
  }

  return {
    acquire(signal) {
      signal?.throwIfAborted()
      return new Promise<void>((resolve, reject) => {
        const leave = () => {
          const at = queue.indexOf(waiter)
          if (at >= 0) queue.splice(at, 1)
          reject(signal?.reason)
        }
        const waiter: Waiter = {
          since: clock.now(),
          go: () => {
            signal?.removeEventListener('abort', leave)
            resolve()
          },
          fail: (error) => {
            signal?.removeEventListener('abort', leave)
            reject(error)
          },
        }
        signal?.addEventListener('abort', leave, { once: true })
        queue.push(waiter)
        void pump().catch((error: unknown) => {
          // The store failed: everyone waiting hears it, rather than hanging.
          for (const w of queue.splice(0)) w.fail(error)
        })
      })
    },
    async blockUntil(untilMs) {
      const now = clock.now()
      if (untilMs <= now) return
      const current = Number((await store.get(blockedKey)) ?? 0)
      if (current >= untilMs) return
      blockedUntilKnown = untilMs
      await store.set(blockedKey, String(untilMs), { ttlMs: untilMs - now })
    },
    waitEstimateMs() {
      const now = clock.now()
      const ahead = queue.length
      const blocked = Math.max(0, blockedUntilKnown - now)
      if (ahead === 0 && spentUntil <= now) return blocked
      const nextWindow = Math.max(0, spentUntil - now)
      return Math.max(blocked, nextWindow) + Math.floor(ahead / limit) * windowMs
    },
  }
}
