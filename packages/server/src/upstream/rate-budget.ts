/**
 * A request budget shared by every BFF instance on one store, so the kit stays under a vendor's
 * rate limit (Persona: 300 requests/min per environment) however many users arrive at once.
 * Requests over the budget *wait* for the next window rather than fail; a 429 from the vendor
 * blocks every instance until the time it asked for.
 *
 * Fixed windows aligned to the clock, counted with `store.increment` (`rateWindow`), so two
 * instances share one count without coordination.
 *
 * A vendor may also cap one kind of request below its overall limit (Persona: 150 new inquiries
 * a minute). Such a cap is a *lane*, named at creation: a request in a lane takes a slot of the
 * lane's own windows and then one of the budget's, and while a lane is spent the requests behind
 * it in other lanes (or none) go on being served in order.
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
   * Requests go in the order they asked (on one instance; instances share the windows). With
   * `lane` (one of `RateBudgetOptions.lanes`), the request also counts against that lane.
   */
  acquire(signal?: AbortSignal, lane?: string): Promise<void>
  /** Holds every request (on every instance) until `untilMs`, after a vendor 429. */
  blockUntil(untilMs: number): Promise<void>
  /**
   * How long a request that asked now would wait, judged from this instance's queue: the time to
   * the next window once this window is spent, plus one window per `limit` requests ahead of it.
   * An estimate (other instances share the windows), for telling a user when to come back.
   * With `lane`, the longer of that and the wait for the lane's own windows.
   */
  waitEstimateMs(lane?: string): number
}

/** A cap on one kind of request, inside the budget's own. */
export interface RateLaneOptions {
  /** Requests of this kind per lane window. */
  limit: number
  /** Default: the budget's `windowMs`. */
  windowMs?: number
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
  /** Caps on kinds of request, by name (`acquire(signal, name)`), each counted apart. */
  lanes?: Record<string, RateLaneOptions>
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
  lanes = {},
  clock = systemClock,
  sleep = realSleep,
  random = Math.random,
}: RateBudgetOptions): RateBudget {
  const blockedKey = `rate:${name}:blocked-until`
  interface Lane {
    name: string
    limit: number
    windowMs: number
    /** When the lane window this instance found spent ends (0: none known to be spent). */
    spentUntil: number
  }
  const laneOf = new Map<string, Lane>(
    Object.entries(lanes).map(([laneName, lane]) => [
      laneName,
      { name: laneName, limit: lane.limit, windowMs: lane.windowMs ?? windowMs, spentUntil: 0 },
    ]),
  )
  interface Waiter {
    since: number
    lane: Lane | undefined
    /** Holds a slot of its lane's window already, and waits only for the budget's. */
    laneSlot: boolean
    go(): void
    fail(error: unknown): void
  }
  const queue: Waiter[] = []
  let pumping = false
  /** When the window this instance found spent ends (0: none known to be spent). */
  let spentUntil = 0
  let blockedUntilKnown = 0
  /** Ends the pump's sleep for a spent lane, when a request outside it arrives. */
  let wake: (() => void) | undefined

  /**
   * The waiter served next: one already holding its lane's slot (so a lane's count is never
   * spent long before its requests go), else the first whose lane is not known to be spent.
   */
  const next = (now: number) =>
    queue.find((w) => w.laneSlot) ?? queue.find((w) => !w.lane || w.lane.spentUntil <= now)

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
        const waiter = next(now)
        if (!waiter) {
          // Everyone waiting is in a spent lane: sleep until the first of those opens, or until
          // a request that may go now arrives (the budget's own window is not spent).
          const opens = Math.min(...queue.map((w) => w.lane?.spentUntil ?? now))
          await Promise.race([
            sleep(Math.max(0, opens - now) + Math.floor(random() * 100)),
            new Promise<void>((resolve) => (wake = resolve)),
          ])
          wake = undefined
          continue
        }
        const { lane } = waiter
        if (lane && !waiter.laneSlot) {
          const slot = await rateWindow(store, `rate:${name}:${lane.name}`, {
            limit: lane.limit,
            windowMs: lane.windowMs,
            clock,
          })
          if (!slot.allowed) {
            lane.spentUntil = slot.resetAt
            continue
          }
          lane.spentUntil = 0
          waiter.laneSlot = true
        }
        const { allowed, resetAt } = await rateWindow(store, `rate:${name}`, {
          limit,
          windowMs,
          clock,
        })
        if (allowed) {
          spentUntil = 0
          queue.splice(queue.indexOf(waiter), 1)
          waiter.go()
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
    acquire(signal, laneName) {
      signal?.throwIfAborted()
      const lane = laneName === undefined ? undefined : laneOf.get(laneName)
      if (laneName !== undefined && !lane) {
        return Promise.reject(new Error(`rate budget "${name}" has no lane "${laneName}"`))
      }
      return new Promise<void>((resolve, reject) => {
        const leave = () => {
          const at = queue.indexOf(waiter)
          if (at >= 0) queue.splice(at, 1)
          reject(signal?.reason)
        }
        const waiter: Waiter = {
          since: clock.now(),
          lane,
          laneSlot: false,
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
        if (!lane || lane.spentUntil <= clock.now()) wake?.()
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
    waitEstimateMs(laneName) {
      const now = clock.now()
      const ahead = queue.length
      const blocked = Math.max(0, blockedUntilKnown - now)
      const nextWindow = Math.max(0, spentUntil - now)
      const overall =
        ahead === 0 && spentUntil <= now
          ? blocked
          : Math.max(blocked, nextWindow) + Math.floor(ahead / limit) * windowMs
      const lane = laneName === undefined ? undefined : laneOf.get(laneName)
      if (!lane) return overall
      // The lane's own queue: its windows, one per `lane.limit` of its requests ahead.
      const laneAhead = queue.filter((w) => w.lane === lane && !w.laneSlot).length
      const laneWait =
        laneAhead === 0 && lane.spentUntil <= now
          ? 0
          : Math.max(0, lane.spentUntil - now) + Math.floor(laneAhead / lane.limit) * lane.windowMs
      return Math.max(overall, laneWait)
    },
  }
}
