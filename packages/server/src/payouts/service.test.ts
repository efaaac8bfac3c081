import type { CreatePayoutRequest } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { createTestLedger } from '../../test/payouts/ledger'
import {
  createPayoutWorld,
  expectOneCoinflowPayoutPerKey,
  USER,
  type PayoutWorld,
} from '../../test/payouts/world'
import { ApiError } from '../errors'
import { coinflowKeyFor } from './ids'
import type { PayoutRecord } from './journal'
import type { PayoutService, WithdrawEvent } from './service'

const USD_OPENING = 2_000_000_00

/** A payout to the user's bank account, at the fee its quote shows. */
const toBank = (
  world: PayoutWorld,
  cents: number,
  speed: CreatePayoutRequest['speed'] = 'standard',
) =>
  world.shown({ amount: { cents, currency: 'USD' }, speed, destinationId: world.destinations.bank })

/** Delivers the emulator's Withdraw webhooks to `payouts`, in the order given. */
async function deliver(payouts: PayoutService, events: WithdrawEvent[]) {
  for (const event of events) await payouts.handleWithdrawEvent(event)
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to be refused')
    },
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(ApiError)
  return error as ApiError
}

describe('payouts: the happy path, every destination', () => {
  it('pays a US bank account: debits the host, submits once, settles by webhook', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const { payout, replayed } = await payouts.request({
      userId: USER,
      idempotencyKey: 'click-0000000001',
      body: await toBank(world, 100_00),
    })
    expect(replayed).toBe(false)
    expect(payout).toMatchObject({
      state: 'pending',
      speed: 'standard',
      effectiveSpeed: 'standard',
      fee: { cents: 25, currency: 'USD' },
      destination: { id: world.destinations.bank, type: 'bank_account', last4: '0000' },
    })
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 100_00)
    expect(world.coinflowPayouts(coinflowKeyFor(payout.id))).toHaveLength(1)

    await world.advance(30_000)
    await deliver(payouts, world.withdrawEvents())
    const settled = await payouts.get(USER, payout.id)
    expect(settled?.state).toBe('succeeded')
    expect(world.ledger.calls('authorize', payout.id)).toBe(1)
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
    expect(world.ledger.calls('reverse', payout.id)).toBe(0)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 100_00)
    // Finished payouts leave nothing for recovery.
    expect(await payouts.journal.openIds()).toEqual([])
  })

  it.each([
    ['a debit card', 'card', 'card', 'USD', 25_00],
    ['a SEPA IBAN', 'ibanEur', 'iban', 'EUR', 80_00],
    ['a UK account', 'ibanGbp', 'iban', 'GBP', 60_00],
    ['a PIX key', 'pix', 'pix', 'BRL', 150_00],
  ] as const)('pays %s in its own currency', async (_, kind, speed, currency, cents) => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const quote = await payouts.quote(USER, {
      amount: { cents, currency },
      destinationId: world.destinations[kind],
    })
    const [option] = quote.options
    expect(option).toMatchObject({
      speed,
      available: true,
      fee: { currency },
      receive: { currency },
    })
    expect(option!.fee.cents).toBeGreaterThan(0)
    expect(option!.receive.cents).toBeLessThan(cents)

    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: `click-${kind}-0001`,
      body: await world.shown({
        amount: { cents, currency },
        speed,
        destinationId: world.destinations[kind],
      }),
    })
    expect(payout).toMatchObject({
      state: 'pending',
      amount: { cents, currency },
      effectiveSpeed: speed,
    })
    await world.advance(10_000)
    await deliver(payouts, world.withdrawEvents())
    expect((await payouts.get(USER, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.balance(USER, currency)).toBe(
      10_000_00 - cents + (currency === 'USD' ? USD_OPENING - 10_000_00 : 0),
    )
  })

  it('sends same_day above $1,000,000 as standard and reports it', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'big-same-day-01',
      body: await toBank(world, 1_000_000_01, 'same_day'),
    })
    expect(payout).toMatchObject({
      speed: 'same_day',
      effectiveSpeed: 'standard',
      state: 'pending',
    })
    expect(world.coinflowPayouts()[0]).toMatchObject({
      requestedSpeed: 'same_day',
      effectiveSpeed: 'standard',
    })
  })

  it('keeps same_day at exactly $1,000,000', async () => {
    const world = await createPayoutWorld()
    const { payout } = await world.service().request({
      userId: USER,
      idempotencyKey: 'exact-same-day-1',
      body: await toBank(world, 1_000_000_00, 'same_day'),
    })
    expect(payout.effectiveSpeed).toBe('same_day')
  })
})

describe('payouts: never twice', () => {
  it('answers a reused Idempotency-Key with the same payout, paying once', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const request = {
      userId: USER,
      idempotencyKey: 'double-click-01',
      body: await toBank(world, 42_00),
    }
    const first = await payouts.request(request)
    const second = await payouts.request(request)
    expect(second).toEqual({ payout: first.payout, replayed: true })
    expect(world.coinflowPayouts()).toHaveLength(1)
    expect(world.ledger.calls('authorize')).toBe(1)
  })

  it('refuses a reused Idempotency-Key with a different body, moving nothing', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    await payouts.request({
      userId: USER,
      idempotencyKey: 'reused-key-001',
      body: await toBank(world, 10_00),
    })
    const error = await rejection(
      payouts.request({
        userId: USER,
        idempotencyKey: 'reused-key-001',
        body: await toBank(world, 11_00),
      }),
    )
    expect(error.code).toBe('idempotency_key_reused')
    expect(world.coinflowPayouts()).toHaveLength(1)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 10_00)
  })

  it('scopes Idempotency-Keys per user', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const mine = await payouts.request({
      userId: USER,
      idempotencyKey: 'shared-key-0001',
      body: await toBank(world, 10_00),
    })
    // The same key from another user is theirs: it must not reveal or replay user-1's payout.
    const theirs = await rejection(
      payouts.request({
        userId: 'user-2',
        idempotencyKey: 'shared-key-0001',
        body: await toBank(world, 10_00),
      }),
    )
    expect(theirs.code).toBe('kyc_required')
    expect(await payouts.get('user-2', mine.payout.id)).toBeNull()
  })

  it('makes one payout from hundreds of identical requests at once', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const request = {
      userId: USER,
      idempotencyKey: 'storm-key-00001',
      body: await toBank(world, 7_00),
    }
    const results = await Promise.all(Array.from({ length: 200 }, () => payouts.request(request)))
    expect(new Set(results.map((result) => result.payout.id)).size).toBe(1)
    expect(results.filter((result) => !result.replayed)).toHaveLength(1)
    expect(world.coinflowPayouts()).toHaveLength(1)
    expect(world.ledger.calls('authorize')).toBe(1)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 7_00)
  })

  it('makes one payout per key from many distinct requests at once, to the cent', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const requests = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => ({
        userId: USER,
        idempotencyKey: `distinct-key-${String(i).padStart(4, '0')}`,
        body: await toBank(world, 1_00 + i),
      })),
    )
    // Each request twice (a retry racing its original).
    const results = await Promise.all(
      [...requests, ...requests].map((request) => payouts.request(request)),
    )
    expect(new Set(results.map((result) => result.payout.id)).size).toBe(60)
    expect(world.coinflowPayouts()).toHaveLength(60)
    expectOneCoinflowPayoutPerKey(world)
    const total = requests.reduce((sum, request) => sum + request.body.amount.cents, 0)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - total)
  })
})

/** $30.00 to an account the bank has suspended: Coinflow accepts it, then it fails. */
async function payToSuspendedAccount(world: PayoutWorld, payouts: PayoutService, key: string) {
  const suspended = await world.harness.coinflow.state.addBankAccount(USER, {
    alias: 'suspended',
    routingNumber: '011401533',
    accountNumber: '5555666677',
    type: 'checking',
  })
  const { payout } = await payouts.request({
    userId: USER,
    idempotencyKey: key,
    body: await world.shown({
      amount: { cents: 30_00, currency: 'USD' },
      speed: 'standard',
      destinationId: suspended,
    }),
  })
  return payout
}

describe('payouts: refusals and failures', () => {
  it('refuses a payout at a fee the user was not shown, debiting nothing, then pays at the fee shown', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const shown = await toBank(world, 75_00, 'asap')
    // The screen still showed another amount's fee when the user pressed Withdraw.
    const stale = { ...shown, fee: { cents: shown.fee.cents + 1, currency: 'USD' as const } }
    const error = await rejection(
      payouts.request({ userId: USER, idempotencyKey: 'stale-fee-0001', body: stale }),
    )
    expect(error.code).toBe('quote_changed')
    expect(error.status).toBe(409)
    expect(error.message).toContain('Check the new price')
    expect(world.ledger.calls('authorize')).toBe(0)
    expect(world.coinflowPayouts()).toHaveLength(0)
    expect(await payouts.journal.openIds()).toEqual([])

    // The fresh figures confirmed: the same click's key pays, once, at exactly that fee.
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'stale-fee-0001',
      body: shown,
    })
    expect(payout.fee).toEqual(shown.fee)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 75_00)
    expect(world.coinflowPayouts()).toHaveLength(1)
  })

  it('ends refused, moving no money, when the host declines', async () => {
    const world = await createPayoutWorld({
      ledger: createTestLedger({ [USER]: [{ cents: 5_00, currency: 'USD' }] }),
    })
    const payouts = world.service()
    const request = {
      userId: USER,
      idempotencyKey: 'too-much-00001',
      body: await toBank(world, 6_00),
    }
    const error = await rejection(payouts.request(request))
    expect(error.code).toBe('payout_refused')
    expect(error.message).toBe('Your balance is too low for this withdrawal.')
    expect(world.coinflowPayouts()).toHaveLength(0)
    // The same key answers the same way, without asking the host again.
    expect((await rejection(payouts.request(request))).code).toBe('payout_refused')
    expect(world.ledger.calls('authorize')).toBe(1)
    const [refused] = (await payouts.list(USER)).payouts
    expect(refused).toMatchObject({
      state: 'refused',
      failureReason: 'Your balance is too low for this withdrawal.',
    })
  })

  it('returns the user to verification on a 451, and gives the balance back', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    // The destination and quote were checked while the user was approved (both are cached for
    // a few seconds); then Coinflow's own re-check at payout time answers 451.
    await payouts.quote(USER, {
      amount: { cents: 20_00, currency: 'USD' },
      destinationId: world.destinations.bank,
    })
    const body = await toBank(world, 20_00)
    world.harness.coinflow.state.withdrawers.get(USER)!.verification.status = 'pending'
    const error = await rejection(
      payouts.request({ userId: USER, idempotencyKey: 'needs-kyc-0001', body }),
    )
    expect(error.code).toBe('verification_required')
    expect(error.extra.verificationLink).toMatch(/^http:\/\/localhost:3000\//)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING)
    expect(world.ledger.calls('reverse')).toBe(1)
  })

  it('says payouts are unavailable on a 402, alerts the operator, and gives the balance back', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    world.harness.coinflow.state.setBalanceCents(10_00)
    const error = await rejection(
      payouts.request({
        userId: USER,
        idempotencyKey: 'empty-wallet-01',
        body: await toBank(world, 20_00),
      }),
    )
    expect(error.code).toBe('payouts_unavailable')
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING)
    const alert = world.logger
      .records()
      .find((line) => line.alert === 'coinflow_insufficient_funds')
    expect(alert?.level).toBe('error')
  })

  it('reverses once when Coinflow reports the payout failed', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const payout = await payToSuspendedAccount(world, payouts, 'to-suspended-01')
    await world.advance(30_000)
    const events = world.withdrawEvents()
    expect(events.map((event) => event.eventType)).toEqual(['Withdraw Pending', 'Withdraw Failure'])
    await deliver(payouts, [...events, ...events])
    expect(await payouts.get(USER, payout.id)).toMatchObject({
      state: 'failed',
      failureReason: 'The payout did not go through. The amount has been returned to your balance.',
    })
    expect(world.ledger.calls('reverse', payout.id)).toBe(1)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING)
  })

  it('tells the page again once the host gave the balance back, so a balance read then is right', async () => {
    const world = await createPayoutWorld()
    // What a host page does on each event: read its balance.
    const balancesRead: number[] = []
    const payouts = world.service({
      publish: async () => {
        balancesRead.push(world.ledger.balance(USER, 'USD'))
      },
    })
    await payToSuspendedAccount(world, payouts, 'to-suspended-02')
    await world.advance(30_000)
    await deliver(payouts, world.withdrawEvents())
    expect(world.ledger.calls('reverse')).toBe(1)
    expect(balancesRead.at(-1)).toBe(USD_OPENING)
  })
})

describe('payouts: amount validation moves no money', () => {
  it.each([
    [
      'a currency the destination does not pay out in',
      { amount: { cents: 10_00, currency: 'EUR' }, speed: 'standard' },
      'amount_not_allowed',
    ],
    [
      'a speed the destination does not allow',
      { amount: { cents: 10_00, currency: 'USD' }, speed: 'pix' },
      'amount_not_allowed',
    ],
    [
      'an amount over the speed’s limit',
      { amount: { cents: 100_000_01, currency: 'USD' }, speed: 'asap' },
      'amount_not_allowed',
    ],
  ] as const)('refuses %s', async (_, body, code) => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const error = await rejection(
      payouts.request({
        userId: USER,
        idempotencyKey: 'bad-amount-001',
        // Refused before any fee is compared: the fee sent does not matter.
        body: {
          ...body,
          destinationId: world.destinations.bank,
          fee: { cents: 0, currency: 'USD' },
        },
      }),
    )
    expect(error.code).toBe(code)
    expect(world.ledger.calls('authorize')).toBe(0)
    expect(world.coinflowPayouts()).toHaveLength(0)
    expect(await payouts.journal.openIds()).toEqual([])
  })

  it('refuses a destination that is not the user’s', async () => {
    const world = await createPayoutWorld()
    const error = await rejection(
      world.service().request({
        userId: USER,
        idempotencyKey: 'not-mine-00001',
        body: {
          amount: { cents: 10_00, currency: 'USD' },
          speed: 'standard',
          destinationId: 'tok_someone_else',
          fee: { cents: 0, currency: 'USD' },
        },
      }),
    )
    expect(error.code).toBe('destination_not_found')
    expect(world.ledger.calls('authorize')).toBe(0)
  })

  it('names the limit when the amount is over it', async () => {
    const world = await createPayoutWorld()
    const error = await rejection(
      world.service().request({
        userId: USER,
        idempotencyKey: 'over-card-0001',
        body: {
          amount: { cents: 10_000_01, currency: 'USD' },
          speed: 'card',
          destinationId: world.destinations.card,
          fee: { cents: 0, currency: 'USD' },
        },
      }),
    )
    expect(error.message).toBe('The most you can withdraw at this speed is $10,000.00.')
  })
})

describe('payouts: never lost', () => {
  it('keeps a payout submitted through a Coinflow outage and finishes it with the same key', async () => {
    const world = await createPayoutWorld({ service: { retryBaseMs: 1_000 } })
    const payouts = world.service()
    // The quote is taken before the outage starts (quotes are cached for a few seconds).
    await payouts.quote(USER, {
      amount: { cents: 15_00, currency: 'USD' },
      destinationId: world.destinations.bank,
    })
    const body = await toBank(world, 15_00)
    world.setOutage(true)
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'outage-key-001',
      body,
    })
    expect(payout.state).toBe('submitted')
    expect(world.coinflowPayouts()).toHaveLength(0)

    world.setOutage(false)
    await world.advance(2_000)
    await payouts.resumeDue()
    const resumed = await payouts.get(USER, payout.id)
    expect(resumed?.state).toBe('pending')
    expect(world.coinflowPayouts(coinflowKeyFor(payout.id))).toHaveLength(1)
    expect(world.ledger.calls('authorize')).toBe(1)
  })

  it('gets the original payout back when Coinflow’s first answer is lost (503 after paying)', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    // $503.00 is the emulator's "made the payout, then answered 503" amount.
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'lost-answer-01',
      body: await toBank(world, 503_00),
    })
    expect(payout.state).toBe('pending')
    expect(world.coinflowPayouts()).toHaveLength(1)
  })

  it('settles by lookup when no webhook ever comes', async () => {
    const world = await createPayoutWorld({ service: { lookupAfterMs: 60_000 } })
    const payouts = world.service()
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'no-webhook-001',
      body: await toBank(world, 12_00),
    })
    await world.advance(59_000)
    await payouts.resumeDue()
    expect((await payouts.get(USER, payout.id))?.state).toBe('pending')
    await world.advance(1_000)
    await payouts.resumeDue()
    expect((await payouts.get(USER, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
  })

  it('applies webhooks that arrive out of order, and ignores the stragglers', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'reordered-0001',
      body: await toBank(world, 13_00),
    })
    await world.advance(30_000)
    const [pending, success] = world.withdrawEvents()
    await deliver(payouts, [success!, pending!, success!])
    expect((await payouts.get(USER, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.calls('settle')).toBe(1)
  })

  it('keeps outcomes that beat the payout’s answer, and applies them once the payout is known', async () => {
    const world = await createPayoutWorld({ service: { retryBaseMs: 1_000 } })
    const payouts = world.service()
    world.setLosingPayoutAnswers(true)
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'early-hook-001',
      body: await toBank(world, 14_00),
    })
    // Every answer was lost, but the same key made Coinflow pay exactly once.
    expect(payout.state).toBe('submitted')
    expect(world.coinflowPayouts()).toHaveLength(1)

    // It settles, and its webhooks (here without the idempotency key, reordered) arrive while
    // the payout still has no signature: they are kept, not dropped.
    await world.advance(30_000)
    const events = world.withdrawEvents().map(({ idempotencyKey: _, ...event }) => event)
    await deliver(payouts, [...events].reverse())
    expect((await payouts.get(USER, payout.id))?.state).toBe('submitted')

    // The retry with the same key gets Coinflow's original answer, and the kept outcome with it.
    world.setLosingPayoutAnswers(false)
    await world.advance(2_000)
    await payouts.resumeDue()
    expect((await payouts.get(USER, payout.id))?.state).toBe('succeeded')
    expect(world.coinflowPayouts()).toHaveLength(1)
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
  })

  it('ignores a webhook that names another user', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'other-user-001',
      body: await toBank(world, 16_00),
    })
    await world.advance(30_000)
    const success = world.withdrawEvents()[1]!
    await payouts.handleWithdrawEvent({ ...success, userId: 'user-2' })
    expect((await payouts.get(USER, payout.id))?.state).toBe('pending')
  })

  it('hands a slow payout to the next sweep rather than outlive its lease', async () => {
    const world = await createPayoutWorld()
    const slow = world.ledger.authorizePayout.bind(world.ledger)
    world.ledger.authorizePayout = async (call) => {
      await new Promise((resolve) => setTimeout(resolve, 150))
      return slow(call)
    }
    const payouts = world.service({ lockTtlMs: 200 })
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'slow-host-00001',
      body: await toBank(world, 19_00),
    })
    // Half the lease went on the host; the step after it waits for the next sweep.
    expect(payout.state).toBe('authorized')
    await payouts.resumeDue()
    expect((await payouts.get(USER, payout.id))?.state).toBe('pending')
    expect(world.ledger.calls('authorize', payout.id)).toBe(1)
  })

  it('retries a host hook that throws, without moving money twice', async () => {
    const world = await createPayoutWorld()
    const payouts = world.service()
    world.ledger.failNext('authorize', { afterCommit: true })
    const { payout } = await payouts.request({
      userId: USER,
      idempotencyKey: 'host-hiccup-01',
      body: await toBank(world, 17_00),
    })
    expect(payout.state).toBe('accepted')
    await world.advance(5_000)
    await payouts.resumeDue()
    expect((await payouts.get(USER, payout.id))?.state).toBe('pending')
    expect(world.ledger.calls('authorize', payout.id)).toBe(2)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 17_00)
  })

  describe.each(['accepted', 'authorized', 'submitted', 'pending', 'succeeded'] as const)(
    'after a crash right after journaling %s',
    (crashState) => {
      it('resumes from the journal at start-up and ends in one terminal state', async () => {
        const world = await createPayoutWorld()
        let crashed = false
        const dying = world.service({
          onStep: (record: PayoutRecord) => {
            if (!crashed && record.state === crashState) {
              crashed = true
              throw new Error('process killed (test)')
            }
          },
        })
        const request = {
          userId: USER,
          idempotencyKey: `crash-${crashState}-01`,
          body: await toBank(world, 18_00),
        }
        if (crashState === 'succeeded') {
          await dying.request(request)
          await world.advance(30_000)
          await expect(deliver(dying, world.withdrawEvents())).rejects.toThrow('process killed')
        } else {
          await expect(dying.request(request)).rejects.toThrow('process killed')
        }
        expect(crashed).toBe(true)

        // A new process on the same store; the lease of the dead one has run out by now.
        await world.advance(61_000)
        const restarted = world.service()
        await restarted.resumeDue()
        await world.advance(30_000)
        await deliver(restarted, world.withdrawEvents())
        await restarted.resumeDue()
        const {
          payouts: [payout],
        } = await restarted.list(USER)
        expect(payout?.state).toBe('succeeded')
        expect(world.coinflowPayouts()).toHaveLength(1)
        expect(world.ledger.entries().get(payout!.id)).toBe('settled')
        expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 18_00)
        expect(await restarted.journal.openIds()).toEqual([])
        // The client's retry after the restart gets the same payout.
        const retried = await restarted.request(request)
        expect(retried).toMatchObject({ replayed: true, payout: { id: payout!.id } })
      })
    },
  )
})

describe('payouts: recovery across instances', () => {
  it('sweeps on one instance at a time, and on another once a killed holder’s lease lapses', async () => {
    const world = await createPayoutWorld({ service: { lookupAfterMs: 60_000 } })
    // While `hung`, a settle never answers: the instance calling it stops there, as if killed.
    let hung = false
    let stuck = 0
    const settle = world.ledger.settlePayout.bind(world.ledger)
    world.ledger.settlePayout = (call) => {
      if (!hung) return settle(call)
      stuck++
      return new Promise(() => {})
    }
    const killed = world.service()
    const survivor = world.service()
    const { payout } = await survivor.request({
      userId: USER,
      idempotencyKey: 'swept-once-001',
      body: await toBank(world, 21_00),
    })
    await world.advance(60_000)

    hung = true
    void killed.resumeDue()
    await expect.poll(() => stuck).toBe(1)
    expect(await survivor.resumeDue()).toEqual({ resumed: 0, open: 0, swept: false })

    hung = false
    // The sweep's lease (30 s) and the payout's (60 s) lapse with nobody renewing them.
    await world.advance(61_000)
    expect(await survivor.resumeDue()).toMatchObject({ resumed: 1, swept: true })
    expect((await survivor.get(USER, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
    expect(world.ledger.balance(USER, 'USD')).toBe(USD_OPENING - 21_00)
  })

  it('hands the sweep to another instance at once after a graceful stop', async () => {
    const world = await createPayoutWorld()
    const stopping = world.service()
    const staying = world.service()
    expect(await stopping.resumeDue()).toMatchObject({ swept: true })
    expect(await staying.resumeDue()).toMatchObject({ swept: false })
    await stopping.drain()
    expect(await staying.resumeDue()).toMatchObject({ swept: true })
  })
})

describe('payouts: a graceful stop', () => {
  it('waits for a payout in flight to release its lease, so a restart can drive it at once', async () => {
    const opening = createTestLedger({ [USER]: [{ cents: 1_000_00, currency: 'USD' }] })
    // The host is slow to answer, so the payout is mid-drive, lease held, when the stop begins.
    let answerHost!: () => void
    const hostAnswered = new Promise<void>((resolve) => {
      answerHost = resolve
    })
    const world = await createPayoutWorld({
      ledger: {
        ...opening,
        authorizePayout: async (call) => {
          await hostAnswered
          return opening.authorizePayout(call)
        },
      },
    })
    const payouts = world.service()
    const request = payouts.request({
      userId: USER,
      idempotencyKey: 'click-drain-0001',
      body: await toBank(world, 10_00),
    })
    await expect.poll(() => world.store.keys('payout-lock:')).toHaveLength(1)

    let drained = false
    const draining = payouts.drain().then(() => {
      drained = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(drained).toBe(false)

    answerHost()
    await draining
    expect(await world.store.keys('payout-lock:')).toEqual([])
    await expect(request).resolves.toMatchObject({ payout: { state: 'pending' } })
  })
})
