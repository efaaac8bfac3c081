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
})
