/**
 * One behaviour suite for every `ShareflowStore`. Each adapter's test file calls
 * `describeStoreConformance` with a harness, so the memory, file and Redis stores are held to the
 * same semantics: values, expiry, counters, atomicity under concurrency, pub/sub, restarts.
 *
 * Test-only: imports vitest.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createReviewQueue } from '../ops/review-queue'
import { claimOnce, updateJson, withLock } from './records'
import type { ShareflowStore } from './types'

export interface StoreConformanceHarness {
  /** Opens a fresh, empty store for one test. */
  open(): Promise<OpenedStore>
  /** Lets `ms` pass for the store's expiry: a manual clock's advance, or real waiting. */
  elapse(ms: number): Promise<void>
  /** Several instances share the data (`openPeer` is given): cross-instance tests run. */
  shared: boolean
  /** The data survives a restart (`reopen` is given): restart tests run. */
  durable: boolean
}

export interface OpenedStore {
  store: ShareflowStore
  /** Another instance over the same data, as a second BFF instance would open it. */
  openPeer?: () => Promise<ShareflowStore>
  /** Closes `store` and opens the same data again, as a restarted process would. */
  reopen?: () => Promise<ShareflowStore>
}

const Tally = z.strictObject({ count: z.int().nonnegative() })

/**
 * Registers the conformance tests for one store adapter.
 *
 * @example
 * const clock = createManualClock()
 * describeStoreConformance('memory store', {
 *   open: async () => ({ store: createMemoryStore({ clock }) }),
 *   elapse: async (ms) => clock.advance(ms),
 *   shared: false,
 *   durable: false,
 * })
 */
export function describeStoreConformance(name: string, harness: StoreConformanceHarness): void {
  const opened: ShareflowStore[] = []

  const track = (store: ShareflowStore) => {
    opened.push(store)
    return store
  }

  const setup = async () => {
    const { store, openPeer, reopen } = await harness.open()
    track(store)
    return {
      store,
      // Alternates calls between two instances when the store is shared, else uses the one.
      async instances(): Promise<ShareflowStore[]> {
        return openPeer ? [store, track(await openPeer())] : [store]
      },
      async peer(): Promise<ShareflowStore> {
        if (!openPeer) throw new Error(`${name}: the harness says shared but gave no openPeer`)
        return track(await openPeer())
      },
      async reopen(): Promise<ShareflowStore> {
        if (!reopen) throw new Error(`${name}: the harness says durable but gave no reopen`)
        return track(await reopen())
      },
    }
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()))
  })

  describe(`${name} (store conformance)`, () => {
    describe('values', () => {
      it('reads null for a key never written', async () => {
        const { store } = await setup()
        expect(await store.get('never-written')).toBeNull()
      })

      it('reads back what was set, and the latest write wins', async () => {
        const { store } = await setup()
        await store.set('greeting', 'hello')
        expect(await store.get('greeting')).toBe('hello')
        await store.set('greeting', 'bonjour')
        expect(await store.get('greeting')).toBe('bonjour')
        await store.set('empty', '')
        expect(await store.get('empty')).toBe('')
      })

      it('deletes a key, and deleting a missing key is harmless', async () => {
        const { store } = await setup()
        await store.set('doomed', 'x')
        await store.delete('doomed')
        expect(await store.get('doomed')).toBeNull()
        await expect(store.delete('doomed')).resolves.toBeUndefined()
      })

      it('writes with setIfAbsent only the first time', async () => {
        const { store } = await setup()
        expect(await store.setIfAbsent('claim', 'first')).toBe(true)
        expect(await store.setIfAbsent('claim', 'second')).toBe(false)
        expect(await store.get('claim')).toBe('first')
      })

      it('writes with compareAndSet from null only while the key is absent', async () => {
        const { store } = await setup()
        expect(await store.compareAndSet('state', null, 'accepted')).toBe(true)
        expect(await store.compareAndSet('state', null, 'again')).toBe(false)
        expect(await store.get('state')).toBe('accepted')
      })

      it('replaces only the expected value with compareAndSet, and otherwise writes nothing', async () => {
        const { store } = await setup()
        await store.set('state', 'accepted')
        expect(await store.compareAndSet('state', 'submitted', 'pending')).toBe(false)
        expect(await store.get('state')).toBe('accepted')
        expect(await store.compareAndSet('state', 'accepted', 'submitted')).toBe(true)
        expect(await store.get('state')).toBe('submitted')
        expect(await store.compareAndSet('missing', 'anything', 'x')).toBe(false)
        expect(await store.get('missing')).toBeNull()
      })

      it('deletes with compareAndDelete only while the key holds the expected value', async () => {
        const { store } = await setup()
        await store.set('lease', 'token-a')
        expect(await store.compareAndDelete('lease', 'token-b')).toBe(false)
        expect(await store.get('lease')).toBe('token-a')
        expect(await store.compareAndDelete('lease', 'token-a')).toBe(true)
        expect(await store.get('lease')).toBeNull()
        expect(await store.compareAndDelete('lease', 'token-a')).toBe(false)
      })

      it('lists live keys by prefix, sorted, taking the prefix literally', async () => {
        const { store } = await setup()
        for (const key of [
          'payout:b',
          'payout:a',
          'payouts',
          'quote:a',
          'p*[?]\\:1',
          'pX[?]\\:2',
        ]) {
          await store.set(key, '1')
        }
        await store.set('payout:c', '1')
        await store.delete('payout:c')
        expect(await store.keys('payout:')).toEqual(['payout:a', 'payout:b'])
        expect(await store.keys('p*[?]\\:')).toEqual(['p*[?]\\:1'])
        expect(await store.keys('nothing:')).toEqual([])
        expect(await store.keys('')).toHaveLength(6)
      })

      it('keeps unicode keys and values exactly', async () => {
        const { store } = await setup()
        const samples = [
          'emoji 💸🏦👩🏽‍💻',
          '中文 日本語 한국어',
          'مرحبا עברית',
          'e\u0301 combining and ﬁ ligature',
          'nul \u0000 byte, tab \t, newline \n, crlf \r\n',
          'quotes " \' and backslash \\ and {"json": [1]}',
          '\u2028 line and \u2029 paragraph separators',
        ]
        for (const [index, sample] of samples.entries()) {
          await store.set(`ключ:${index}:${sample}`, sample)
        }
        for (const [index, sample] of samples.entries()) {
          expect(await store.get(`ключ:${index}:${sample}`)).toBe(sample)
        }
        expect(await store.keys('ключ:')).toHaveLength(samples.length)
        const received: string[] = []
        await store.subscribe('канал 📣', (message) => received.push(message))
        await store.publish('канал 📣', samples.join('|'))
        await vi.waitFor(() => expect(received).toEqual([samples.join('|')]))
      })

      it('keeps a large value exactly', async () => {
        const { store } = await setup()
        const chunk = 'payout journal ✓ 0123456789 '
        const large = chunk.repeat(Math.ceil((4 * 1024 * 1024) / chunk.length))
        await store.set('large', large)
        expect(await store.get('large')).toBe(large)
      })

      it('rejects a TTL that is not a positive whole number', async () => {
        const { store } = await setup()
        await expect(store.set('k', 'v', { ttlMs: 0 })).rejects.toThrow()
        await expect(store.set('k', 'v', { ttlMs: -5 })).rejects.toThrow()
        await expect(store.setIfAbsent('k', 'v', { ttlMs: 1.5 })).rejects.toThrow()
        await expect(store.increment('n', Number.NaN)).rejects.toThrow()
        expect(await store.get('k')).toBeNull()
        expect(await store.get('n')).toBeNull()
      })

      it('refuses operations after close, and closing twice is harmless', async () => {
        const { store } = await setup()
        await store.set('k', 'v')
        await store.close()
        await expect(store.close()).resolves.toBeUndefined()
        await expect(store.get('k')).rejects.toThrow(/closed/i)
        await expect(store.set('k', 'w')).rejects.toThrow(/closed/i)
      })
    })

    describe('expiry', () => {
      it('forgets a value after its ttl', async () => {
        const { store } = await setup()
        await store.set('session', 'abc', { ttlMs: 1000 })
        await store.set('forever', 'x')
        expect(await store.get('session')).toBe('abc')
        await harness.elapse(1100)
        expect(await store.get('session')).toBeNull()
        expect(await store.keys('')).toEqual(['forever'])
      })

      it('clears an earlier expiry when a key is written again without a ttl', async () => {
        const { store } = await setup()
        await store.set('record', 'v1', { ttlMs: 1000 })
        await store.set('record', 'v2')
        await harness.elapse(1100)
        expect(await store.get('record')).toBe('v2')
      })

      it('treats an expired key as absent for setIfAbsent and compareAndSet', async () => {
        const { store } = await setup()
        await store.set('claim', 'old', { ttlMs: 1000 })
        await store.set('lease', 'old', { ttlMs: 1000 })
        await harness.elapse(1100)
        expect(await store.compareAndSet('lease', 'old', 'new')).toBe(false)
        expect(await store.compareAndDelete('lease', 'old')).toBe(false)
        expect(await store.setIfAbsent('claim', 'new')).toBe(true)
        expect(await store.compareAndSet('lease', null, 'new')).toBe(true)
        expect(await store.get('claim')).toBe('new')
        expect(await store.get('lease')).toBe('new')
      })
    })

    describe('counters', () => {
      it('counts up from 1', async () => {
        const { store } = await setup()
        expect(await store.increment('hits', 60_000)).toBe(1)
        expect(await store.increment('hits', 60_000)).toBe(2)
        expect(await store.increment('hits', 60_000)).toBe(3)
        expect(await store.get('hits')).toBe('3')
      })

      it('expires a counter ttl after its first increment, not extended by later ones', async () => {
        const { store } = await setup()
        await store.increment('window', 1000)
        // Real time may only run late: the early step leaves room, the late one only overshoots.
        await harness.elapse(400)
        expect(await store.increment('window', 1000)).toBe(2)
        await harness.elapse(700)
        expect(await store.get('window')).toBeNull()
        expect(await store.increment('window', 1000)).toBe(1)
      })

      it('refuses to increment a value that is not an integer', async () => {
        const { store } = await setup()
        await store.set('name', 'not a number')
        await expect(store.increment('name', 1000)).rejects.toThrow()
        expect(await store.get('name')).toBe('not a number')
      })
    })

    describe('atomicity under concurrency', () => {
      it('lets exactly one of hundreds of concurrent setIfAbsent calls win', async () => {
        const { store, instances } = await setup()
        const stores = await instances()
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            stores[i % stores.length]!.setIfAbsent('claim', `caller-${i}`),
          ),
        )
        const winners = results.flatMap((won, i) => (won ? [i] : []))
        expect(winners).toHaveLength(1)
        expect(await store.get('claim')).toBe(`caller-${winners[0]}`)
      })

      it('lets exactly one of hundreds of concurrent compareAndSet calls from one value win', async () => {
        const { store, instances } = await setup()
        const stores = await instances()
        await store.set('payout', 'accepted')
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            stores[i % stores.length]!.compareAndSet('payout', 'accepted', `submitted-by-${i}`),
          ),
        )
        const winners = results.flatMap((won, i) => (won ? [i] : []))
        expect(winners).toHaveLength(1)
        expect(await store.get('payout')).toBe(`submitted-by-${winners[0]}`)
      })

      it('lets exactly one of many concurrent compareAndDelete calls win', async () => {
        const { store, instances } = await setup()
        const stores = await instances()
        await store.set('lease', 'token')
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            stores[i % stores.length]!.compareAndDelete('lease', 'token'),
          ),
        )
        expect(results.filter(Boolean)).toHaveLength(1)
      })

      it('counts every one of hundreds of concurrent increments exactly once', async () => {
        const { store, instances } = await setup()
        const stores = await instances()
        const counts = await Promise.all(
          Array.from({ length: 500 }, (_, i) => stores[i % stores.length]!.increment('n', 60_000)),
        )
        expect([...counts].sort((a, b) => a - b)).toEqual(
          Array.from({ length: 500 }, (_, i) => i + 1),
        )
        expect(await store.get('n')).toBe('500')
      })

      it('loses no update among concurrent updateJson writers', async () => {
        const { store, instances } = await setup()
        const stores = await instances()
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            updateJson(stores[i % stores.length]!, 'tally', Tally, (tally) => ({
              count: (tally?.count ?? 0) + 1,
            })),
          ),
        )
        expect(JSON.parse((await store.get('tally'))!)).toEqual({ count: 100 })
      })

      it('never lets two withLock holders run at once', async () => {
        const { instances } = await setup()
        const stores = await instances()
        let inside = 0
        let mostInside = 0
        let runs = 0
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            withLock(stores[i % stores.length]!, 'lock:recovery', 10_000, async () => {
              inside++
              mostInside = Math.max(mostInside, inside)
              await new Promise((resolve) => setTimeout(resolve, 2))
              inside--
              runs++
            }),
          ),
        )
        expect(runs).toBe(12)
        expect(mostInside).toBe(1)
      })

      it('admits one claimOnce caller per key', async () => {
        const { instances } = await setup()
        const stores = await instances()
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            claimOnce(stores[i % stores.length]!, `webhook:evt_${i % 10}`, 60_000),
          ),
        )
        expect(results.filter(Boolean)).toHaveLength(10)
      })
    })

    describe('pub/sub', () => {
      it('delivers to every subscriber of a channel, in publish order', async () => {
        const { store } = await setup()
        const first: string[] = []
        const second: string[] = []
        await store.subscribe('events:user-1', (message) => first.push(message))
        await store.subscribe('events:user-1', (message) => second.push(message))
        for (const message of ['a', 'b', 'c', 'd']) await store.publish('events:user-1', message)
        await vi.waitFor(() => expect(first).toEqual(['a', 'b', 'c', 'd']))
        await vi.waitFor(() => expect(second).toEqual(['a', 'b', 'c', 'd']))
      })

      it('keeps channels apart, and stops delivering after unsubscribe', async () => {
        const { store } = await setup()
        const user1: string[] = []
        const user2: string[] = []
        const unsubscribe = await store.subscribe('events:user-1', (message) => user1.push(message))
        await store.subscribe('events:user-2', (message) => user2.push(message))
        await store.publish('events:user-1', 'for user 1')
        await vi.waitFor(() => expect(user1).toEqual(['for user 1']))
        await unsubscribe()
        await expect(unsubscribe()).resolves.toBeUndefined()
        await store.publish('events:user-1', 'after unsubscribe')
        await store.publish('events:user-2', 'for user 2')
        // User 2's message went out after the one user 1 no longer hears, so it arrives after it.
        await vi.waitFor(() => expect(user2).toEqual(['for user 2']))
        expect(user1).toEqual(['for user 1'])
      })

      it('keeps delivering to other listeners when one throws', async () => {
        const { store } = await setup()
        const received: string[] = []
        const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
        try {
          await store.subscribe('events', () => {
            throw new Error('listener bug')
          })
          await store.subscribe('events', (message) => received.push(message))
          await store.publish('events', 'one')
          await store.publish('events', 'two')
          await vi.waitFor(() => expect(received).toEqual(['one', 'two']))
          expect(consoleError).toHaveBeenCalled()
        } finally {
          consoleError.mockRestore()
        }
      })

      it.runIf(harness.shared)('delivers across instances sharing the store', async () => {
        const { store, peer } = await setup()
        const other = await peer()
        const onOther: string[] = []
        const onStore: string[] = []
        await other.subscribe('events:user-1', (message) => onOther.push(message))
        await store.subscribe('events:user-1', (message) => onStore.push(message))
        await store.publish('events:user-1', 'from instance 1')
        await other.publish('events:user-1', 'from instance 2')
        await vi.waitFor(() => expect(onOther).toEqual(['from instance 1', 'from instance 2']))
        await vi.waitFor(() => expect(onStore).toEqual(['from instance 1', 'from instance 2']))
      })
    })

    describe('the review queue (ops)', () => {
      // The queue's own clock: when each user entered it, independent of the store's expiry.
      const queueClock = () => {
        let at = Date.parse('2026-12-01T09:00:00.000Z')
        return { now: () => at, advance: (ms: number) => void (at += ms) }
      }

      it('lists users oldest first with why, each once, in pages that resume at the cursor', async () => {
        const { store } = await setup()
        const clock = queueClock()
        const queue = createReviewQueue({ store, clock })
        for (const [userId, reason] of [
          ['user-c', 'persona_review'],
          ['user-a', 'coinflow_refused'],
          ['user-b', 'host_flag'],
        ] as const) {
          expect(await queue.add(userId, reason)).toBe(true)
          clock.advance(1_000)
        }
        // A second reason keeps the user's place and first reason.
        expect(await queue.add('user-c', 'host_flag')).toBe(false)
        const first = await queue.page({ limit: 2 })
        expect(first.entries.map((e) => [e.userId, e.reason])).toEqual([
          ['user-c', 'persona_review'],
          ['user-a', 'coinflow_refused'],
        ])
        expect(first.nextCursor).not.toBeNull()
        const second = await queue.page({ cursor: first.nextCursor!, limit: 2 })
        expect(second.entries.map((e) => e.userId)).toEqual(['user-b'])
        expect(second.nextCursor).toBeNull()
        expect(queue.validCursor('bm90LWEtY3Vyc29y')).toBe(false)
      })

      it('lets a decided user leave, and take a new place at the back if they come again', async () => {
        const { store, instances } = await setup()
        const clock = queueClock()
        const [one, two = one] = (await instances()).map((s) =>
          createReviewQueue({ store: s, clock }),
        )
        await one!.add('user-a', 'persona_review')
        clock.advance(1_000)
        await two!.add('user-b', 'persona_review')
        expect(await two!.remove('user-a')).toBe(true)
        expect(await one!.remove('user-a')).toBe(false)
        clock.advance(1_000)
        expect(await one!.add('user-a', 'host_flag')).toBe(true)
        const page = await two!.page({ limit: 10 })
        expect(page.entries.map((e) => [e.userId, e.reason])).toEqual([
          ['user-b', 'persona_review'],
          ['user-a', 'host_flag'],
        ])
        expect(await one!.entryOf('user-a')).toMatchObject({ reason: 'host_flag' })
      })
    })

    describe.runIf(harness.shared)('instances sharing the store', () => {
      it('see each other’s writes at once', async () => {
        const { store, peer } = await setup()
        const other = await peer()
        await store.set('payout:1', 'submitted')
        expect(await other.get('payout:1')).toBe('submitted')
        expect(await other.compareAndSet('payout:1', 'submitted', 'pending')).toBe(true)
        expect(await store.get('payout:1')).toBe('pending')
        expect(await other.keys('payout:')).toEqual(['payout:1'])
      })
    })

    describe.runIf(harness.durable)('restarts', () => {
      it('keeps values, counters and deletions across close and reopen', async () => {
        const { store, reopen } = await setup()
        await store.set('payout:1', 'pending')
        await store.set('payout:2', 'accepted')
        await store.compareAndSet('payout:2', 'accepted', 'submitted')
        await store.set('payout:3', 'gone')
        await store.delete('payout:3')
        await store.increment('hits', 60_000)
        await store.increment('hits', 60_000)
        const reopened = await reopen()
        expect(await reopened.get('payout:1')).toBe('pending')
        expect(await reopened.get('payout:2')).toBe('submitted')
        expect(await reopened.keys('payout:')).toEqual(['payout:1', 'payout:2'])
        expect(await reopened.increment('hits', 60_000)).toBe(3)
      })

      it('keeps a ttl running while the store is closed', async () => {
        const { store, reopen } = await setup()
        await store.set('session', 'abc', { ttlMs: 1000 })
        await store.increment('window', 1000)
        await harness.elapse(600)
        const reopened = await reopen()
        expect(await reopened.get('session')).toBe('abc')
        await harness.elapse(600)
        expect(await reopened.get('session')).toBeNull()
        expect(await reopened.increment('window', 1000)).toBe(1)
      })
    })
  })
}
