import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { createMemoryStore } from '../store/memory'
import { createRateBudget, RateBudgetExhausted } from './rate-budget'

/** A clock that only moves when someone sleeps on it, so waits cost no real time. */
function sleepingClock() {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
  const sleeps: number[] = []
  const sleep = async (ms: number) => {
    sleeps.push(ms)
    clock.advance(ms)
  }
  return { clock, sleep, sleeps }
}

/** A Persona budget of `limit` a minute on a fresh store, waiting with `sleep`. */
function budgetOf(
  limit: number,
  clock: ReturnType<typeof createManualClock>,
  sleep: (ms: number) => Promise<void>,
) {
  const store = createMemoryStore({ clock })
  return createRateBudget({ store, name: 'persona', limit, clock, sleep, random: () => 0 })
}

describe('rate budget', () => {
  it('lets the limit through in one window and queues the next request into the next window', async () => {
    const { clock, sleep, sleeps } = sleepingClock()
    const store = createMemoryStore({ clock })
    const budget = createRateBudget({
      store,
      name: 'persona',
      limit: 3,
      clock,
      sleep,
      random: () => 0,
    })
    for (let i = 0; i < 3; i++) await budget.acquire()
    expect(sleeps).toEqual([])
    const before = clock.now()
    await budget.acquire()
    expect(sleeps).toEqual([60_000])
    expect(Math.floor(clock.now() / 60_000)).toBe(Math.floor(before / 60_000) + 1)
  })

  it('is shared by every instance on the same store', async () => {
    const { clock, sleep, sleeps } = sleepingClock()
    const store = createMemoryStore({ clock })
    const a = createRateBudget({ store, name: 'persona', limit: 2, clock, sleep, random: () => 0 })
    const b = createRateBudget({ store, name: 'persona', limit: 2, clock, sleep, random: () => 0 })
    await a.acquire()
    await b.acquire()
    expect(sleeps).toEqual([])
    await b.acquire()
    expect(sleeps).toHaveLength(1)
  })

  it('holds every request after a vendor 429 until the time it asked for', async () => {
    const { clock, sleep, sleeps } = sleepingClock()
    const store = createMemoryStore({ clock })
    const budget = createRateBudget({
      store,
      name: 'persona',
      limit: 100,
      clock,
      sleep,
      random: () => 0,
    })
    await budget.blockUntil(clock.now() + 5_000)
    await budget.acquire()
    expect(sleeps).toEqual([5_000])
  })

  it('gives up only after waiting longer than allowed', async () => {
    const { clock, sleep } = sleepingClock()
    const store = createMemoryStore({ clock })
    const budget = createRateBudget({
      store,
      name: 'persona',
      limit: 0,
      maxWaitMs: 90_000,
      clock,
      sleep,
      random: () => 0,
    })
    await expect(budget.acquire()).rejects.toBeInstanceOf(RateBudgetExhausted)
  })

  it('serves waiting requests in the order they asked, across windows', async () => {
    const { clock, sleep } = sleepingClock()
    const budget = budgetOf(2, clock, sleep)
    const served: string[] = []
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((name) => budget.acquire().then(() => served.push(name))),
    )
    expect(served).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('estimates a newcomer’s wait from the queue ahead of it: one window per limit', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
    // A sleep that never ends keeps everyone queued where they are.
    const budget = budgetOf(2, clock, () => new Promise<void>(() => {}))
    expect(budget.waitEstimateMs()).toBe(0)
    const queued = Array.from({ length: 7 }, () => budget.acquire())
    for (let i = 0; i < 10; i++) await Promise.resolve()
    await Promise.all(queued.slice(0, 2))
    // Two went at once; five wait for the windows after this one (it ends in 60 s).
    expect(budget.waitEstimateMs()).toBe(60_000 + 2 * 60_000)
  })

  it('lets a caller who gave up leave the queue without holding up the rest', async () => {
    const { clock, sleep } = sleepingClock()
    const budget = budgetOf(1, clock, sleep)
    await budget.acquire()
    const gaveUp = new AbortController()
    const first = budget.acquire(gaveUp.signal)
    const second = budget.acquire()
    gaveUp.abort(new Error('browser went away'))
    await expect(first).rejects.toThrow('browser went away')
    await second
    // The one who left took no slot: the next window's only slot went to the second.
    expect(Math.floor(clock.now() / 60_000)).toBe(
      Math.floor(Date.UTC(2026, 10, 22, 12, 0, 0) / 60_000) + 1,
    )
  })
})
