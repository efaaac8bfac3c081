import type { Destination, PositiveMoney } from '@shareflow/contract'
import { Quote } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import type { CurrencyCents, DelegatedQuote, SpeedQuote } from '../upstream/coinflow'
import { createCallCounter } from '../upstream/http'
import { createQuoteService, SAME_DAY_ACH_MAX_CENTS, toQuote } from './quotes'

const NOW = Date.UTC(2026, 10, 23, 15)

const usd = (cents: number): CurrencyCents => ({ cents, currency: 'USD' })

function speed(fee: number, limit: number, settle: CurrencyCents, iso: string): SpeedQuote {
  return {
    fee: usd(fee),
    limit: usd(limit),
    finalSettlement: settle,
    expectedDeliveryDate: 'Tue, Nov 24, 2026',
    expectedDeliveryDateISO: iso,
  }
}

/** A Coinflow quote for `amountCents` USD with the sandbox's standard terms. */
function usdQuote(amountCents: number): DelegatedQuote {
  return {
    asap: speed(150, 100_000_00, usd(amountCents - 150), '2026-11-23T15:00:00.000Z'),
    same_day: speed(
      100,
      SAME_DAY_ACH_MAX_CENTS,
      usd(amountCents - 100),
      '2026-11-23T21:00:00.000Z',
    ),
    standard: speed(25, 10_000_000_00, usd(amountCents - 25), '2026-11-25T15:00:00.000Z'),
    card: speed(150, 10_000_00, usd(amountCents - 150), '2026-11-23T15:00:00.000Z'),
    quote: usd(amountCents),
    userPayout: usd(amountCents - 25),
    merchantFees: usd(0),
    totalMerchantDebit: usd(amountCents),
  }
}

const bank: Destination = {
  id: 'tok_bank',
  type: 'bank_account',
  label: 'Checking',
  last4: '6789',
  currency: 'USD',
  speeds: ['asap', 'same_day', 'standard'],
}

const quoteFor = (vendorQuote: DelegatedQuote, destination: Destination, amount: PositiveMoney) =>
  Quote.parse(toQuote({ vendorQuote, destination, amount, quotedAt: NOW, validForMs: 30_000 }))

describe('toQuote', () => {
  it('offers every speed the destination allows, with fee, receive, limit and delivery', () => {
    const quote = quoteFor(usdQuote(100_00), bank, { cents: 100_00, currency: 'USD' })
    expect(quote.options.map((option) => option.speed)).toEqual(['asap', 'same_day', 'standard'])
    expect(quote.options[2]).toEqual({
      speed: 'standard',
      effectiveSpeed: 'standard',
      available: true,
      fee: { cents: 25, currency: 'USD' },
      receive: { cents: 99_75, currency: 'USD' },
      limit: { cents: 10_000_000_00, currency: 'USD' },
      expectedDeliveryAt: '2026-11-25T15:00:00.000Z',
    })
    expect(quote.quotedAt).toBe(new Date(NOW).toISOString())
    expect(quote.expiresAt).toBe(new Date(NOW + 30_000).toISOString())
  })

  it('shows same_day at exactly $1,000,000 as same_day', () => {
    const amount = { cents: SAME_DAY_ACH_MAX_CENTS, currency: 'USD' } as const
    const sameDay = quoteFor(usdQuote(amount.cents), bank, amount).options[1]
    expect(sameDay).toMatchObject({
      speed: 'same_day',
      effectiveSpeed: 'same_day',
      available: true,
    })
    expect(sameDay?.fee.cents).toBe(100)
  })

  it('shows same_day above $1,000,000 as standard, with standard figures', () => {
    const amount = { cents: SAME_DAY_ACH_MAX_CENTS + 1, currency: 'USD' } as const
    const sameDay = quoteFor(usdQuote(amount.cents), bank, amount).options[1]
    expect(sameDay).toMatchObject({
      speed: 'same_day',
      effectiveSpeed: 'standard',
      available: true,
      fee: { cents: 25, currency: 'USD' },
      limit: { cents: 10_000_000_00, currency: 'USD' },
      expectedDeliveryAt: '2026-11-25T15:00:00.000Z',
    })
  })

  it('marks a speed whose limit the amount exceeds unavailable, saying why', () => {
    const amount = { cents: 100_000_01, currency: 'USD' } as const
    const [asap, sameDay] = quoteFor(usdQuote(amount.cents), bank, amount).options
    expect(asap).toMatchObject({ available: false, unavailableReason: 'over_limit' })
    expect(asap?.limit.cents).toBe(100_000_00)
    expect(sameDay).toMatchObject({ available: true })
  })

  it('marks a speed whose fee eats the whole amount unavailable', () => {
    const card: Destination = { ...bank, id: 'tok_card', type: 'card', speeds: ['card'] }
    const [option] = quoteFor(usdQuote(1_00), card, { cents: 1_00, currency: 'USD' }).options
    expect(option).toMatchObject({ available: false, unavailableReason: 'fee_exceeds_amount' })
    expect(option?.receive.cents).toBe(0)
  })

  it('converts fees and limits priced in USD into the payout currency, never in the user’s favour', () => {
    // R$100.00 is what Coinflow priced as $18.52; its fee and limit are in dollars.
    const vendorQuote: DelegatedQuote = {
      pix: speed(20, 50_000_00, { cents: 98_92, currency: 'BRL' }, '2026-11-23T15:00:00.000Z'),
      quote: usd(18_52),
      userPayout: { cents: 98_92, currency: 'BRL' },
      merchantFees: usd(0),
      totalMerchantDebit: usd(18_52),
    }
    const pix: Destination = {
      id: 'tok_pix',
      type: 'pix',
      label: 'PIX',
      last4: '8074',
      currency: 'BRL',
      speeds: ['pix'],
    }
    const [option] = quoteFor(vendorQuote, pix, { cents: 100_00, currency: 'BRL' }).options
    expect(option).toMatchObject({
      available: true,
      fee: { cents: 108, currency: 'BRL' }, // 20 × 10000 / 1852 = 107.99 → up
      limit: { cents: 269_978_40, currency: 'BRL' }, // 5,000,000 × 10000 / 1852 → down
      receive: { cents: 98_92, currency: 'BRL' },
    })
  })

  it('marks a speed Coinflow did not quote as not supported', () => {
    const vendorQuote = usdQuote(100_00)
    delete vendorQuote.asap
    const [asap] = quoteFor(vendorQuote, bank, { cents: 100_00, currency: 'USD' }).options
    expect(asap).toMatchObject({ available: false, unavailableReason: 'not_supported' })
  })
})

describe('createQuoteService', () => {
  function setup() {
    let now = NOW
    const calls: unknown[] = []
    let release: () => void = () => {}
    let gate = Promise.resolve()
    const service = createQuoteService({
      clock: { now: () => now },
      cacheMs: 5_000,
      fetchQuote: async (input) => {
        calls.push(input)
        await gate
        return usdQuote(input.amount.cents)
      },
    })
    return {
      service,
      calls,
      advance: (ms: number) => (now += ms),
      hold: () => {
        gate = new Promise((resolve) => (release = resolve))
      },
      release: () => release(),
    }
  }
  const amount = { cents: 50_00, currency: 'USD' } as const

  it('coalesces concurrent identical quotes into one Coinflow call', async () => {
    const { service, calls, hold, release } = setup()
    hold()
    const pending = Array.from({ length: 20 }, () => service.quote('u1', bank, amount))
    release()
    const quotes = await Promise.all(pending)
    expect(calls).toHaveLength(1)
    expect(new Set(quotes).size).toBe(1)
  })

  it('counts the Coinflow call on the request that made it, and a join on each that joined it, failed or not', async () => {
    const counters = Array.from({ length: 3 }, () => createCallCounter())
    let fail = false
    const service = createQuoteService({
      clock: { now: () => NOW },
      // The counter it is given is the one the Coinflow client counts on.
      fetchQuote: async (input, calls) => {
        calls?.record({
          vendor: 'coinflow',
          operation: 'coinflow.quoteDelegatedPayout',
          method: 'POST',
          attempts: 2,
          status: fail ? null : 200,
          durationMs: 40,
          coalesced: false,
        })
        if (fail) throw new Error('Coinflow is down')
        return usdQuote(input.amount.cents)
      },
    })
    const heard = () =>
      counters.map((counter) =>
        counter.calls.map(({ attempts, coalesced }) => ({ attempts, coalesced })),
      )

    await Promise.all(counters.map((counter) => service.quote('u1', bank, amount, counter)))
    const made = { attempts: 2, coalesced: false }
    const joined = { attempts: 0, coalesced: true }
    expect(heard()).toEqual([[made], [joined], [joined]])
    expect(counters.map((counter) => counter.summary().coinflow)).toEqual([1, 0, 0])

    // A cached answer made no call, for anyone.
    await service.quote('u1', bank, amount, counters[1])
    expect(counters[1]!.calls).toHaveLength(1)

    fail = true
    const other = { cents: 60_00, currency: 'USD' } as const
    const failed = await Promise.allSettled(
      counters.map((counter) => service.quote('u1', bank, other, counter)),
    )
    expect(failed.every((result) => result.status === 'rejected')).toBe(true)
    expect(heard()).toEqual([
      [made, made],
      [joined, joined],
      [joined, joined],
    ])
  })

  it('answers a repeat from the cache until it goes stale', async () => {
    const { service, calls, advance } = setup()
    await service.quote('u1', bank, amount)
    advance(4_999)
    await service.quote('u1', bank, amount)
    expect(calls).toHaveLength(1)
    advance(1)
    await service.quote('u1', bank, amount)
    expect(calls).toHaveLength(2)
  })

  it('never shares a quote between users, destinations or amounts', async () => {
    const { service, calls } = setup()
    await service.quote('u1', bank, amount)
    await service.quote('u2', bank, amount)
    await service.quote('u1', { ...bank, id: 'tok_other' }, amount)
    await service.quote('u1', bank, { cents: 50_01, currency: 'USD' })
    expect(calls).toHaveLength(4)
  })

  it('asks Coinflow about the destination’s account for this user', async () => {
    const { service, calls } = setup()
    await service.quote('u1', bank, amount)
    expect(calls[0]).toEqual({ userId: 'u1', account: 'tok_bank', speed: 'asap', amount })
  })

  it('does not cache a failed quote', async () => {
    let fail = true
    const service = createQuoteService({
      clock: { now: () => NOW },
      fetchQuote: async (input) => {
        if (fail) throw new Error('Coinflow is down')
        return usdQuote(input.amount.cents)
      },
    })
    await expect(service.quote('u1', bank, amount)).rejects.toThrow('Coinflow is down')
    fail = false
    await expect(service.quote('u1', bank, amount)).resolves.toMatchObject({ quote: { amount } })
  })

  it('asks Coinflow for the wallet dollars that pay a BRL amount, at Coinflow’s own rate', async () => {
    const calls: Array<{ cents: number; currency: string }> = []
    const service = createQuoteService({
      clock: { now: () => NOW },
      // A Coinflow that converts dollars to reais at 5.4 after a dollar fee of 0.5% (min 20¢).
      fetchQuote: async ({ amount }) => {
        calls.push(amount)
        const fee = Math.max(20, Math.round(amount.cents * 0.005))
        const settle = { cents: Math.round((amount.cents - fee) * 5.4), currency: 'BRL' }
        return {
          pix: speed(fee, 50_000_00, settle, '2026-11-23T15:00:00.000Z'),
          quote: usd(amount.cents),
          userPayout: settle,
          merchantFees: usd(0),
          totalMerchantDebit: usd(amount.cents),
        }
      },
    })
    const pix: Destination = {
      ...bank,
      id: 'tok_pix',
      type: 'pix',
      currency: 'BRL',
      speeds: ['pix'],
    }
    const priced = await service.quote('u1', pix, { cents: 540_00, currency: 'BRL' })
    // One probe for the rate, then the quote for the converted amount.
    expect(calls).toEqual([
      { cents: 100_00, currency: 'USD' },
      { cents: 100_00, currency: 'USD' },
    ])
    expect(priced.coinflowAmount).toEqual({ cents: 100_00, currency: 'USD' })
    expect(priced.quote.options[0]).toMatchObject({
      fee: { cents: 2_70, currency: 'BRL' },
      receive: { cents: 537_30, currency: 'BRL' },
    })
    // The probe is remembered for the next amount.
    await service.quote('u1', pix, { cents: 54_00, currency: 'BRL' })
    expect(calls.at(-1)).toEqual({ cents: 10_00, currency: 'USD' })
    expect(calls).toHaveLength(3)
  })
})
