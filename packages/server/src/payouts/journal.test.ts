import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/memory'
import { coinflowKeyFor, isPayoutId, newPayoutId, payoutIdFromCoinflowKey } from './ids'
import { createPayoutJournal, HistoryCursor, payoutKeys, type PayoutRecord } from './journal'

function record(overrides: Partial<PayoutRecord> = {}): PayoutRecord {
  const id = overrides.id ?? newPayoutId()
  return {
    id,
    userId: 'user-1',
    idempotencyKey: 'key-00000001',
    requestHash: 'hash-a',
    coinflowIdempotencyKey: coinflowKeyFor(id),
    state: 'accepted',
    amount: { cents: 25_00, currency: 'USD' },
    coinflowAmount: { cents: 25_00, currency: 'USD' },
    speed: 'standard',
    destination: { id: 'tok_bank', type: 'bank_account', last4: '6789', label: 'Checking' },
    hostNotified: false,
    attempts: 0,
    nextAttemptAt: 1_000,
    revision: 0,
    createdAt: 1_000,
    updatedAt: 1_000,
    ...overrides,
  }
}

describe('payout ids', () => {
  it('derives one Coinflow idempotency key per payout, a UUIDv4 that leads back to it', () => {
    const id = newPayoutId()
    expect(isPayoutId(id)).toBe(true)
    const key = coinflowKeyFor(id)
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(coinflowKeyFor(id)).toBe(key)
    expect(payoutIdFromCoinflowKey(key)).toBe(id)
  })

  it('does not claim an idempotency key someone else made', () => {
    expect(payoutIdFromCoinflowKey('order-12345')).toBeNull()
    expect(payoutIdFromCoinflowKey('00000000-0000-1000-8000-000000000000')).toBeNull()
  })
})

describe('createPayoutJournal', () => {
  it('journals a new payout with its claim, open marker and history entry', async () => {
    const store = createMemoryStore()
    const journal = createPayoutJournal(store)
    const payout = record()
    await expect(journal.create(payout)).resolves.toEqual({ created: true, record: payout })
    expect(await journal.get(payout.id)).toEqual(payout)
    expect(await journal.claimFor('user-1', 'key-00000001')).toEqual({
      payoutId: payout.id,
      requestHash: 'hash-a',
    })
    expect(await journal.openIds()).toEqual([payout.id])
    expect((await journal.history('user-1', { limit: 10 })).ids).toEqual([payout.id])
  })

  it('lets exactly one of many concurrent creations with one key win', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const attempts = Array.from({ length: 50 }, () => record())
    const outcomes = await Promise.all(attempts.map((attempt) => journal.create(attempt)))
    const winners = outcomes.filter((outcome) => outcome.created)
    expect(winners).toHaveLength(1)
    const winnerId = winners[0]!.created ? winners[0]!.record.id : ''
    for (const outcome of outcomes) {
      if (!outcome.created) expect(outcome.claim.payoutId).toBe(winnerId)
    }
    // Losers leave nothing behind for recovery to trip over.
    expect(await journal.openIds()).toEqual([winnerId])
  })

  it('scopes Idempotency-Keys per user', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const mine = await journal.create(record({ userId: 'alice' }))
    const theirs = await journal.create(record({ userId: 'bob' }))
    expect(mine.created && theirs.created).toBe(true)
  })

  it('cannot be tricked into another user’s keys by a user id with a colon', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    await journal.create(record({ userId: 'a', idempotencyKey: 'b:key-00000001' }))
    const outcome = await journal.create(record({ userId: 'a:b', idempotencyKey: 'key-00000001' }))
    expect(outcome.created).toBe(true)
  })

  it('finishes a creation interrupted between the claim and the record', async () => {
    const store = createMemoryStore()
    const journal = createPayoutJournal(store)
    const payout = record()
    // What a crash right after the claim leaves: the open marker and the claim, no record.
    await store.set(payoutKeys.open(payout.id), JSON.stringify(payout))
    await store.set(
      payoutKeys.idempotency(payout.userId, payout.idempotencyKey),
      JSON.stringify({ payoutId: payout.id, requestHash: payout.requestHash }),
    )
    expect(await journal.get(payout.id)).toBeNull()
    expect(await journal.materialize(payout.id)).toEqual(payout)
    expect((await journal.history('user-1', { limit: 10 })).ids).toEqual([payout.id])
  })

  it('never leaves a record without its history entry, wherever creation stops', async () => {
    const store = createMemoryStore()
    // A store whose process dies at the history write: everything before it is durable.
    let dead = true
    const dying = {
      ...store,
      set: async (...args: Parameters<typeof store.set>) => {
        if (dead && args[0].startsWith('payout-by-user:')) throw new Error('killed')
        return store.set(...args)
      },
    }
    const payout = record()
    await expect(createPayoutJournal(dying).create(payout)).rejects.toThrow('killed')
    dead = false
    const journal = createPayoutJournal(store)
    expect(await journal.get(payout.id)).toBeNull()
    expect(await journal.materialize(payout.id)).toEqual(payout)
    expect((await journal.history('user-1', { limit: 10 })).ids).toEqual([payout.id])
  })

  it('drops the marker of a creation that died before claiming its key', async () => {
    const store = createMemoryStore()
    const journal = createPayoutJournal(store)
    const payout = record()
    await store.set(payoutKeys.open(payout.id), JSON.stringify(payout))
    expect(await journal.materialize(payout.id)).toBeNull()
    expect(await journal.openIds()).toEqual([])
  })

  it('updates by compare-and-set, re-applying the change when it loses a race', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const payout = record()
    await journal.create(payout)
    const bumps = await Promise.all(
      Array.from({ length: 20 }, () =>
        journal.update(payout.id, (current) => ({ ...current, attempts: current.attempts + 1 })),
      ),
    )
    expect(bumps.every((bump) => bump?.changed)).toBe(true)
    const stored = await journal.get(payout.id)
    expect(stored?.attempts).toBe(20)
    expect(stored?.revision).toBe(20)
  })

  it('leaves the record alone when the change declines', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const payout = record()
    await journal.create(payout)
    const result = await journal.update(payout.id, () => null)
    expect(result).toEqual({ record: payout, changed: false })
  })

  it('refuses to journal a record that does not match its schema', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const payout = record()
    await journal.create(payout)
    await expect(
      journal.update(payout.id, (current) => ({ ...current, state: 'lost' as never })),
    ).rejects.toThrow()
    expect((await journal.get(payout.id))?.state).toBe('accepted')
  })

  it('pages a user’s history newest first with a cursor', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const payout = record({ idempotencyKey: `key-0000000${i}`, createdAt: 1_000 + i })
      ids.push(payout.id)
      await journal.create(payout)
    }
    await journal.create(record({ userId: 'someone-else', createdAt: 5_000 }))
    const first = await journal.history('user-1', { limit: 2 })
    expect(first.ids).toEqual([ids[4], ids[3]])
    expect(HistoryCursor.safeParse(first.nextCursor).success).toBe(true)
    const second = await journal.history('user-1', { before: first.nextCursor!, limit: 2 })
    expect(second.ids).toEqual([ids[2], ids[1]])
    const last = await journal.history('user-1', { before: second.nextCursor!, limit: 2 })
    expect(last).toEqual({ ids: [ids[0]] })
  })

  it('keeps an early webhook outcome until one caller takes it', async () => {
    const journal = createPayoutJournal(createMemoryStore())
    await journal.keepOrphanEvent({ outcome: 'succeeded', signature: 'sig-1', receivedAt: 5 })
    const takers = await Promise.all([
      journal.takeOrphanEvent('sig-1'),
      journal.takeOrphanEvent('sig-1'),
    ])
    expect(takers.filter(Boolean)).toHaveLength(1)
    expect(await journal.takeOrphanEvent('sig-1')).toBeNull()
  })
})
