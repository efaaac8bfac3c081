import { describe, expect, it } from 'vitest'
import { createEmulator } from '../emulator'
import { createManualClock } from '../emulator/world'
import { createMemoryStore } from '../store/memory'
import { createPersonaClient, PERSONA_INQUIRIES_PER_MINUTE } from './persona'
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

/** The most of `times` (ms, ascending) inside any `spanMs` that starts at one of them. */
const busiestSpan = (times: number[], spanMs: number) =>
  Math.max(0, ...times.map((t, i) => times.slice(i).filter((u) => u < t + spanMs).length))

describe('rate budget lanes', () => {
  it('keeps a lane under its own limit in every span while the rest of the budget is free', async () => {
    const { clock, sleep } = sleepingClock()
    const store = createMemoryStore({ clock })
    const budget = createRateBudget({
      store,
      name: 'persona',
      limit: 1_000,
      windowMs: 5_000,
      lanes: { inquiries: { limit: 10 } },
      clock,
      sleep,
      random: () => 0,
    })
    const served: number[] = []
    await Promise.all(
      Array.from({ length: 200 }, () =>
        budget.acquire(undefined, 'inquiries').then(() => served.push(clock.now())),
      ),
    )
    expect(served).toHaveLength(200)
    // 10 per 5 s window: a minute touches at most 13 windows.
    expect(busiestSpan(served, 60_000)).toBeLessThanOrEqual(130)
    expect(busiestSpan(served, 5_000)).toBeLessThanOrEqual(10)
  })

  it('serves requests outside a spent lane without waiting for it, in their order', async () => {
    const { clock, sleep } = sleepingClock()
    const budget = createRateBudget({
      store: createMemoryStore({ clock }),
      name: 'persona',
      limit: 100,
      lanes: { inquiries: { limit: 1 } },
      clock,
      sleep,
      random: () => 0,
    })
    const served: string[] = []
    const started = clock.now()
    const ask = (name: string, lane?: string) =>
      budget.acquire(undefined, lane).then(() => served.push(`${name}@${clock.now() - started}`))
    await Promise.all([
      ask('create-1', 'inquiries'),
      ask('create-2', 'inquiries'),
      ask('read-1'),
      ask('create-3', 'inquiries'),
      ask('read-2'),
    ])
    const windowLeft = 60_000 - (started % 60_000)
    expect(served).toEqual([
      'create-1@0',
      'read-1@0',
      'read-2@0',
      `create-2@${windowLeft}`,
      `create-3@${windowLeft + 60_000}`,
    ])
  })

  it('refuses a lane it was not given', async () => {
    const { clock, sleep } = sleepingClock()
    await expect(budgetOf(1, clock, sleep).acquire(undefined, 'operators')).rejects.toThrow(
      'no lane "operators"',
    )
  })

  it('estimates a lane request’s wait from the lane’s own queue', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
    const budget = createRateBudget({
      store: createMemoryStore({ clock }),
      name: 'persona',
      limit: 100,
      lanes: { inquiries: { limit: 2 } },
      clock,
      sleep: () => new Promise<void>(() => {}),
      random: () => 0,
    })
    const queued = Array.from({ length: 7 }, () => budget.acquire(undefined, 'inquiries'))
    for (let i = 0; i < 20; i++) await Promise.resolve()
    await Promise.all(queued.slice(0, 2))
    expect(budget.waitEstimateMs()).toBe(0)
    expect(budget.waitEstimateMs('inquiries')).toBe(60_000 + 2 * 60_000)
  })
})

describe('Persona’s inquiry quota', () => {
  it('creates no more than 150 inquiries in any minute when 400 users start at once', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
    // The clock moves when the budget sleeps, a moment later in real time, so callers arriving
    // meanwhile find the budget asleep (as they would in production).
    const sleep = async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      clock.advance(ms)
    }
    const emulator = createEmulator({ seed: 3, clock })
    const created: number[] = []
    const persona = createPersonaClient({
      apiKey: 'persona_sandbox_quota',
      store: createMemoryStore({ clock }),
      fetch: async (input, init) => {
        const response = await emulator.fetch(input, init)
        if (init?.method === 'POST' && response.status === 201) created.push(clock.now())
        return response
      },
      clock,
      sleep,
      random: () => 0,
    })
    const reads: number[] = []
    await Promise.all([
      ...Array.from({ length: 400 }, (_, i) =>
        persona.createInquiry({
          templateId: 'itmpl_QuotaTemplate000000001',
          referenceId: `quota-${i}`,
          idempotencyKey: `quota-${i}`,
        }),
      ),
      // Other Persona calls go on while the creations wait for their quota (10 creations and
      // these 10 fit in one of the budget's 5 s windows).
      ...Array.from({ length: 10 }, (_, i) =>
        persona.listInquiriesByReference(`reader-${i}`).then(() => reads.push(clock.now())),
      ),
    ])
    expect(created).toHaveLength(400)
    expect(busiestSpan(created, 60_000)).toBeLessThanOrEqual(PERSONA_INQUIRIES_PER_MINUTE)
    expect(Math.max(...reads) - Math.min(...created)).toBeLessThan(5_000)
  })
})
