import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createManualClock } from '../emulator/world'
import { createMemoryStore } from './memory'
import {
  LockUnavailableError,
  StoreContentionError,
  StoreRecordError,
  claimOnce,
  getJson,
  putJson,
  putJsonIfAbsent,
  rateWindow,
  updateJson,
  withLock,
} from './records'
import type { ShareflowStore } from './types'

const Payout = z.strictObject({
  status: z.enum(['accepted', 'submitted', 'pending', 'succeeded', 'failed']),
  cents: z.int().positive(),
})
type Payout = z.infer<typeof Payout>

describe('JSON records', () => {
  it('reads back a record it wrote, and null for none', async () => {
    const store = createMemoryStore()
    expect(await getJson(store, 'payout:1', Payout)).toBeNull()
    await putJson(store, 'payout:1', Payout, { status: 'accepted', cents: 2500 })
    expect(await getJson(store, 'payout:1', Payout)).toEqual({ status: 'accepted', cents: 2500 })
  })

  it('refuses to write a record its schema rejects', async () => {
    const store = createMemoryStore()
    const bad = { status: 'accepted', cents: -1 } as Payout
    await expect(putJson(store, 'payout:1', Payout, bad)).rejects.toThrow()
    expect(await store.get('payout:1')).toBeNull()
  })

  it('reports a stored value that is not its schema without echoing the value', async () => {
    const store = createMemoryStore()
    await store.set(
      'payout:1',
      JSON.stringify({ status: 'accepted', cents: 2500, ssn: '123-45-6789' }),
    )
    await store.set('payout:2', 'not json 123-45-6789')
    for (const key of ['payout:1', 'payout:2']) {
      const error = await getJson(store, key, Payout).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(StoreRecordError)
      expect((error as StoreRecordError).key).toBe(key)
      expect((error as Error).message).not.toContain('123-45-6789')
    }
  })

  it('writes with putJsonIfAbsent only the first time', async () => {
    const store = createMemoryStore()
    const first = { status: 'accepted', cents: 100 } as const
    expect(await putJsonIfAbsent(store, 'idem:u1:k1', Payout, first)).toBe(true)
    expect(await putJsonIfAbsent(store, 'idem:u1:k1', Payout, { ...first, cents: 999 })).toBe(false)
    expect(await getJson(store, 'idem:u1:k1', Payout)).toEqual(first)
  })
})

describe('updateJson', () => {
  it('creates, changes and deletes a record as its change function says', async () => {
    const store = createMemoryStore()
    const created = await updateJson(store, 'payout:1', Payout, (current) =>
      current === null ? { status: 'accepted' as const, cents: 500 } : undefined,
    )
    expect(created).toEqual({ status: 'accepted', cents: 500 })
    const advanced = await updateJson(store, 'payout:1', Payout, (current) =>
      current?.status === 'accepted' ? { ...current, status: 'submitted' as const } : undefined,
    )
    expect(advanced?.status).toBe('submitted')
    const deleted = await updateJson(store, 'payout:1', Payout, () => null)
    expect(deleted).toBeNull()
    expect(await store.get('payout:1')).toBeNull()
  })

  it('leaves the record untouched when the change function returns undefined', async () => {
    const store = createMemoryStore()
    await putJson(store, 'payout:1', Payout, { status: 'succeeded', cents: 500 })
    const before = await store.get('payout:1')
    const result = await updateJson(store, 'payout:1', Payout, (current) =>
      current?.status === 'accepted' ? { ...current, status: 'submitted' as const } : undefined,
    )
    expect(result).toEqual({ status: 'succeeded', cents: 500 })
    expect(await store.get('payout:1')).toBe(before)
  })

  it('re-reads and re-applies its change when another writer got in between', async () => {
    const store = createMemoryStore()
    await putJson(store, 'payout:1', Payout, { status: 'accepted', cents: 500 })
    let calls = 0
    const result = await updateJson(store, 'payout:1', Payout, (current) => {
      calls++
      // The first time round, another instance moves the payout on before this write lands.
      if (calls === 1) void store.set('payout:1', JSON.stringify({ status: 'failed', cents: 500 }))
      return current?.status === 'accepted'
        ? { ...current, status: 'submitted' as const }
        : undefined
    })
    expect(calls).toBe(2)
    expect(result).toEqual({ status: 'failed', cents: 500 })
  })

  it('gives up with StoreContentionError after maxAttempts lost races', async () => {
    const store = createMemoryStore()
    const error = await updateJson(
      store,
      'tally',
      z.int(),
      (current) => {
        void store.set('tally', String(Math.floor(Math.random() * 1e9)))
        return (current ?? 0) + 1
      },
      { maxAttempts: 3 },
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreContentionError)
    expect((error as StoreContentionError).attempts).toBe(3)
  })

  it('writes with the given ttl', async () => {
    const clock = createManualClock()
    const store = createMemoryStore({ clock })
    await updateJson(store, 'quote:1', z.int(), () => 1, { ttlMs: 30_000 })
    clock.advance(30_001)
    expect(await store.get('quote:1')).toBeNull()
  })
})

describe('withLock', () => {
  it('returns what its function returns, and releases the lock afterwards', async () => {
    const store = createMemoryStore()
    expect(await withLock(store, 'lock:a', 10_000, async () => 'done')).toBe('done')
    expect(await store.get('lock:a')).toBeNull()
  })

  it('releases the lock when its function throws', async () => {
    const store = createMemoryStore()
    await expect(
      withLock(store, 'lock:a', 10_000, async () => {
        throw new Error('recovery failed')
      }),
    ).rejects.toThrow('recovery failed')
    expect(await store.get('lock:a')).toBeNull()
  })

  it('throws LockUnavailableError when someone else holds the lock past the wait', async () => {
    const store = createMemoryStore()
    await store.set('lock:a', 'someone else', { ttlMs: 60_000 })
    let ran = false
    const error = await withLock(
      store,
      'lock:a',
      60_000,
      async () => {
        ran = true
      },
      { waitMs: 0 },
    ).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LockUnavailableError)
    expect(ran).toBe(false)
    expect(await store.get('lock:a')).toBe('someone else')
  })

  it('waits for the holder to release it', async () => {
    const store = createMemoryStore()
    const order: string[] = []
    let release!: () => void
    const holding = withLock(store, 'lock:a', 10_000, async () => {
      order.push('first in')
      await new Promise<void>((resolve) => (release = resolve))
      order.push('first out')
    })
    const waiting = withLock(store, 'lock:a', 10_000, async () => {
      order.push('second in')
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
    release()
    await Promise.all([holding, waiting])
    expect(order).toEqual(['first in', 'first out', 'second in'])
  })

  it('does not delete a successor’s lock when its own lease ran out', async () => {
    const clock = createManualClock()
    const store = createMemoryStore({ clock })
    await withLock(store, 'lock:a', 1000, async () => {
      clock.advance(1001)
      // The lease expired mid-run and another instance took the lock.
      expect(await store.setIfAbsent('lock:a', 'successor', { ttlMs: 1000 })).toBe(true)
    })
    expect(await store.get('lock:a')).toBe('successor')
  })
})

describe('rateWindow', () => {
  const budget = (store: ShareflowStore, clock: { now(): number }) =>
    rateWindow(store, 'budget:persona', { limit: 3, windowMs: 60_000, clock })

  it('allows up to the limit in a window and refuses the rest', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 10))
    const store = createMemoryStore({ clock })
    const results = []
    for (let i = 0; i < 5; i++) results.push(await budget(store, clock))
    expect(results.map((result) => result.allowed)).toEqual([true, true, true, false, false])
    expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0, 0])
    expect(results[0]!.resetAt).toBe(Date.UTC(2026, 0, 1, 12, 1, 0))
  })

  it('starts afresh in the next window, and its counter expires with the window', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1, 12, 0, 50))
    const store = createMemoryStore({ clock })
    for (let i = 0; i < 3; i++) await budget(store, clock)
    expect((await budget(store, clock)).allowed).toBe(false)
    clock.advance(10_000)
    expect(await budget(store, clock)).toMatchObject({ allowed: true, count: 1 })
    expect(await store.keys('budget:persona:')).toEqual([
      `budget:persona:${Date.UTC(2026, 0, 1, 12, 1, 0)}`,
    ])
  })
})

describe('claimOnce', () => {
  it('admits one claim per key until it expires', async () => {
    const clock = createManualClock()
    const store = createMemoryStore({ clock })
    expect(await claimOnce(store, 'webhook:evt_1', 60_000)).toBe(true)
    expect(await claimOnce(store, 'webhook:evt_1', 60_000)).toBe(false)
    expect(await claimOnce(store, 'webhook:evt_2', 60_000)).toBe(true)
    clock.advance(60_001)
    expect(await claimOnce(store, 'webhook:evt_1', 60_000)).toBe(true)
  })

  it('lets a retry through once a failed attempt deletes its claim', async () => {
    const store = createMemoryStore()
    expect(await claimOnce(store, 'webhook:evt_1', 60_000)).toBe(true)
    await store.delete('webhook:evt_1')
    expect(await claimOnce(store, 'webhook:evt_1', 60_000)).toBe(true)
  })
})
