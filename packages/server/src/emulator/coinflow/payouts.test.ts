import { describe, expect, it } from 'vitest'
import { WITHDRAW_SPEEDS } from './pricing'
import {
  approvedUser,
  asUser,
  createHarness,
  linkedBankAccount,
  merchant,
  expectSignedByCoinflow,
  type Harness,
} from './test-harness'

const payout = (harness: Harness, body: Record<string, unknown>) =>
  harness.call('POST', '/api/merchant/withdraws/payout/delegated', {
    headers: merchant,
    json: body,
  })

/** A $100 standard payout to `account` for user-1, with `overrides`. */
const payoutRequest = (account: string, overrides: Record<string, unknown> = {}) => ({
  speed: 'standard',
  account,
  userId: 'user-1',
  amount: { cents: 100_00 },
  idempotencyKey: 'payout-1',
  ...overrides,
})

const quote = (harness: Harness, body: Record<string, unknown>) =>
  harness.call('POST', '/api/merchant/withdraws/payout/delegated/quote', {
    headers: merchant,
    json: body,
  })

const balance = async (harness: Harness) =>
  (await harness.call('GET', '/api/merchant/withdraws/payout/balance', { headers: merchant })).body
    .balance.cents as number

async function readyToPay(options: Parameters<typeof createHarness>[0] = {}) {
  const harness = createHarness(options)
  await approvedUser(harness)
  const account = await linkedBankAccount(harness)
  return { harness, account }
}

describe('Coinflow emulator: delegated quote', () => {
  it('quotes every speed with fee, limit, final settlement and expected delivery', async () => {
    const { harness, account } = await readyToPay()
    const { status, body } = await quote(harness, {
      speed: 'standard',
      account,
      userId: 'user-1',
      amount: { cents: 100_00 },
    })
    expect(status).toBe(200)
    expect(Object.keys(body)).toEqual(expect.arrayContaining([...WITHDRAW_SPEEDS]))
    // The emulator clock starts on Sunday 22 Nov 2026, 12:00 UTC.
    expect(body.standard).toEqual({
      fee: { cents: 25, currency: 'USD' },
      limit: { cents: 10_000_000_00, currency: 'USD' },
      finalSettlement: { cents: 99_75, currency: 'USD' },
      expectedDeliveryDate: 'Tue, Nov 24, 2026',
      expectedDeliveryDateISO: '2026-11-24T12:00:03.000Z',
    })
    expect(body.asap.fee).toEqual({ cents: 1_50, currency: 'USD' })
    expect(body.card.fee).toEqual({ cents: 1_50, currency: 'USD' })
    expect(body.pix.finalSettlement).toEqual({ cents: 537_30, currency: 'BRL' })
    expect(body.quote).toEqual({ cents: 100_00, currency: 'USD' })
    expect(body.totalMerchantDebit).toEqual({ cents: 100_00, currency: 'USD' })
    expect(body.userPayout).toEqual({ cents: 99_75, currency: 'USD' })
    expect(body.merchantFees).toEqual({ cents: 0, currency: 'USD' })
  })

  it('settles a UK account in GBP at the fixed rate', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { body: account } = await harness.call('POST', '/api/withdraw/iban', {
      headers: asUser('user-1'),
      json: { number: '22052471', sortCode: '202678' },
    })
    const { body } = await quote(harness, {
      speed: 'iban',
      account,
      userId: 'user-1',
      amount: { cents: 100_00, currency: 'USD' },
    })
    expect(body.userPayout).toEqual({ cents: 77_42, currency: 'GBP' })
  })

  it.each([
    ['an unknown speed', 400, { speed: 'teleport' }, /^speed: /],
    ['a zero amount', 400, { amount: { cents: 0 } }, /^amount\.cents: /],
    ['a fractional amount', 400, { amount: { cents: 10.5 } }, /^amount\.cents: /],
    ['a non-USD amount', 400, { amount: { cents: 100, currency: 'EUR' } }, /USD/],
    ['an unknown account', 404, { account: 'nope' }, /Account not found/],
    ['an unknown user', 404, { userId: 'ghost' }, /No withdrawer/],
  ])('answers %s with %i', async (_, status, overrides, details) => {
    const { harness, account } = await readyToPay()
    const answer = await quote(harness, {
      speed: 'standard',
      account,
      userId: 'user-1',
      amount: { cents: 100_00 },
      ...overrides,
    })
    expect(answer.status).toBe(status)
    expect(answer.body.details).toMatch(details)
  })
})

describe('Coinflow emulator: delegated payout', () => {
  it('pays out, debits the balance and reports Withdraw Pending then Withdraw Success', async () => {
    const { harness, account } = await readyToPay({ startingBalanceCents: 1_000_00 })
    const { status, body } = await payout(
      harness,
      payoutRequest(account, { amount: { cents: 250_00, currency: 'USD' } }),
    )
    expect(status).toBe(200)
    expect(body).toEqual({
      signature: expect.stringMatching(/^\w{88}$/),
      effectiveSpeed: 'standard',
    })
    expect(await balance(harness)).toBe(750_00)

    const pending = await harness.call('GET', `/api/merchant/withdraws/${body.signature}`, {
      headers: merchant,
    })
    expect(pending.body.withdrawal).toMatchObject({
      status: 'pending',
      amount: { cents: 250_00, currency: 'USD' },
      userPaidFees: { fees: { cents: 25, currency: 'USD' } },
      speed: 'standard',
      provider: 'ach',
      userId: 'user-1',
      idempotencyKey: 'payout-1',
      accountId: account,
    })
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('Withdraw Pending')

    await harness.advance(30_000)
    const done = await harness.call(
      'GET',
      `/api/merchant/withdraws/${pending.body.withdrawal.transferId}`,
      { headers: merchant },
    )
    expect(done.body.withdrawal.status).toBe('completed')
    const success = harness.webhookEvents().at(-1)!
    expect(success.eventType).toBe('Withdraw Success')
    expect(success.data).toMatchObject({
      signature: body.signature,
      idempotencyKey: 'payout-1',
      userId: 'user-1',
      total: { cents: 250_00, currency: 'USD' },
      userFees: { cents: 25, currency: 'USD' },
      merchantId: 'shareflow-emulator',
    })
  })

  it('replays the first result for a reused idempotencyKey and never pays twice', async () => {
    const { harness, account } = await readyToPay({ startingBalanceCents: 1_000_00 })
    const request = payoutRequest(account, { speed: 'asap', idempotencyKey: 'double-click' })
    const first = await payout(harness, request)
    const second = await payout(harness, request)
    await harness.advance(60_000)
    const third = await payout(harness, request)
    expect(second.body).toEqual(first.body)
    expect(third.body).toEqual(first.body)
    expect(await balance(harness)).toBe(900_00)
    expect(harness.coinflow.state.payouts).toHaveLength(1)
    expect(
      harness.webhookEvents().filter((event) => event.eventType.startsWith('Withdraw')),
    ).toHaveLength(2)
  })

  it('refuses a reused idempotencyKey with a different payout (409)', async () => {
    const { harness, account } = await readyToPay()
    const request = payoutRequest(account, { speed: 'asap', idempotencyKey: 'k-1' })
    await payout(harness, request)
    const changed = await payout(harness, { ...request, amount: { cents: 200_00 } })
    expect(changed.status).toBe(409)
    expect(harness.coinflow.state.payouts).toHaveLength(1)
  })

  it('sends same_day above $1,000,000 as standard and says so in effectiveSpeed', async () => {
    const { harness, account } = await readyToPay()
    const atCap = await payout(
      harness,
      payoutRequest(account, {
        speed: 'same_day',
        amount: { cents: 1_000_000_00 },
        idempotencyKey: 'at-cap',
      }),
    )
    expect(atCap.body.effectiveSpeed).toBe('same_day')
    const overCap = await payout(
      harness,
      payoutRequest(account, {
        speed: 'same_day',
        amount: { cents: 1_000_000_01 },
        idempotencyKey: 'over-cap',
      }),
    )
    expect(overCap.status).toBe(200)
    expect(overCap.body.effectiveSpeed).toBe('standard')
    const lookup = await harness.call('GET', `/api/merchant/withdraws/${overCap.body.signature}`, {
      headers: merchant,
    })
    expect(lookup.body.withdrawal.speed).toBe('standard')
  })

  it('quotes same_day above $1,000,000 with the standard payout the user will get', async () => {
    const { harness, account } = await readyToPay()
    const { body } = await quote(harness, {
      speed: 'same_day',
      account,
      userId: 'user-1',
      amount: { cents: 2_000_000_00 },
    })
    expect(body.same_day.limit.cents).toBe(1_000_000_00)
    expect(body.userPayout).toEqual(body.standard.finalSettlement)
  })

  it('answers 402 over the merchant balance and keeps the balance', async () => {
    const { harness, account } = await readyToPay({ startingBalanceCents: 50_00 })
    const { status, body } = await payout(
      harness,
      payoutRequest(account, { amount: { cents: 50_01 }, idempotencyKey: 'too-much' }),
    )
    expect(status).toBe(402)
    expect(body.details).toBe('Insufficient funds')
    expect(await balance(harness)).toBe(50_00)
    // Errors are not recorded: after a top-up the same key goes through.
    harness.coinflow.state.setBalanceCents(100_00)
    const retried = await payout(
      harness,
      payoutRequest(account, { amount: { cents: 50_01 }, idempotencyKey: 'too-much' }),
    )
    expect(retried.status).toBe(200)
  })

  it('answers 451 with a verificationLink for a user who is not approved', async () => {
    const harness = createHarness()
    await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { email: 'ana@example.com', country: 'BR' },
    })
    const { body: pix } = await harness.call('POST', '/api/withdraw/pix', {
      headers: asUser('user-1'),
      json: { pixKey: '40882598074' },
    })
    const { status, body } = await payout(
      harness,
      payoutRequest(pix, { speed: 'pix', amount: { cents: 10_00 }, idempotencyKey: 'unverified' }),
    )
    expect(status).toBe(451)
    expect(body).toEqual({
      verificationLink: expect.stringMatching(/^http:\/\/localhost:3000\/verification\//),
      message: expect.any(String),
    })
    expect(harness.coinflow.state.payouts).toHaveLength(0)
  })

  it('fails a payout to an account held by "suspended", returning the money (Withdraw Failure)', async () => {
    const harness = createHarness({ startingBalanceCents: 1_000_00 })
    await approvedUser(harness)
    const account = await linkedBankAccount(harness, 'user-1', {
      firstName: 'suspended',
      accountNumber: '5555666677',
    })
    const { status, body } = await payout(
      harness,
      payoutRequest(account, { speed: 'asap', idempotencyKey: 'doomed' }),
    )
    expect(status).toBe(200)
    expect(await balance(harness)).toBe(900_00)
    await harness.advance(2_000)
    expect(await balance(harness)).toBe(1_000_00)
    const lookup = await harness.call('GET', `/api/merchant/withdraws/${body.signature}`, {
      headers: merchant,
    })
    expect(lookup.body.withdrawal).toMatchObject({
      status: 'failed',
      detailMessage: expect.stringMatching(/suspended/),
    })
    expect(
      harness
        .webhookEvents()
        .map((event) => event.eventType)
        .slice(-2),
    ).toEqual(['Withdraw Pending', 'Withdraw Failure'])
    for (const delivery of harness.deliveries) await expectSignedByCoinflow(harness, delivery)
  })

  it('answers the magic amount $503.00 with a 503 the first time, though the payout was made', async () => {
    const { harness, account } = await readyToPay({ startingBalanceCents: 1_000_00 })
    const request = payoutRequest(account, {
      amount: { cents: 503_00 },
      idempotencyKey: 'lost-answer',
    })
    const lost = await payout(harness, request)
    expect(lost.status).toBe(503)
    expect(await balance(harness)).toBe(497_00)
    const retried = await payout(harness, request)
    expect(retried.status).toBe(200)
    expect(retried.body.signature).toBe(harness.coinflow.state.payouts[0]!.signature)
    expect(await balance(harness)).toBe(497_00)
  })

  it('signs Withdraw webhooks so the receiver can verify them', async () => {
    const { harness, account } = await readyToPay()
    await payout(harness, payoutRequest(account, { speed: 'asap', idempotencyKey: 'signed' }))
    await harness.advance(2_000)
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual([
      'KYC Created',
      'KYC Success',
      'Withdraw Pending',
      'Withdraw Success',
    ])
    for (const delivery of harness.deliveries) await expectSignedByCoinflow(harness, delivery)
  })

  it.each([
    ['a card speed for a bank account', 400, { speed: 'card' }, /not available/],
    [
      'an amount over the asap limit',
      400,
      { speed: 'asap', amount: { cents: 100_000_01 } },
      /limit/,
    ],
    ['an amount the fee eats', 400, { speed: 'standard', amount: { cents: 25 } }, /fee/],
    ['a missing idempotencyKey', 400, { idempotencyKey: undefined }, /^idempotencyKey: /],
    ['an empty idempotencyKey', 400, { idempotencyKey: '' }, /^idempotencyKey: /],
    ['an amount as a string', 400, { amount: { cents: '100' } }, /^amount\.cents: /],
    ['an unknown account', 404, { account: 'nope' }, /Account not found/],
    ['an unknown user', 404, { userId: 'ghost' }, /No withdrawer/],
  ])('answers %s with %i', async (_, status, overrides, details) => {
    const { harness, account } = await readyToPay()
    const answer = await payout(harness, payoutRequest(account, overrides))
    expect(answer.status).toBe(status)
    expect(answer.body.details).toMatch(details)
    expect(harness.coinflow.state.payouts).toHaveLength(0)
  })

  it('answers malformed JSON with 400, and a merchant call without a key with 401', async () => {
    const { harness } = await readyToPay()
    const malformed = await harness.call('POST', '/api/merchant/withdraws/payout/delegated', {
      headers: merchant,
      raw: '{"speed":',
    })
    expect(malformed.status).toBe(400)
    const anonymous = await harness.call('POST', '/api/merchant/withdraws/payout/delegated', {
      json: {},
    })
    expect(anonymous.status).toBe(401)
  })
})

describe('Coinflow emulator: lookups', () => {
  it('answers 404 for an unknown withdrawal id', async () => {
    const harness = createHarness()
    const { status } = await harness.call('GET', '/api/merchant/withdraws/unknown', {
      headers: merchant,
    })
    expect(status).toBe(404)
  })

  it("lists the user's own payouts, newest first, in GET /withdraw/history", async () => {
    const { harness, account } = await readyToPay()
    await approvedUser(harness, 'user-2')
    const other = await linkedBankAccount(harness, 'user-2')
    for (const [key, userId, acct] of [
      ['h-1', 'user-1', account],
      ['h-2', 'user-2', other],
      ['h-3', 'user-1', account],
    ] as const) {
      await payout(
        harness,
        payoutRequest(acct, { userId, amount: { cents: 10_00 }, idempotencyKey: key }),
      )
    }
    const { status, body } = await harness.call('GET', '/api/withdraw/history', {
      headers: asUser('user-1'),
    })
    expect(status).toBe(200)
    expect(
      body.withdraws.map((withdraw: { idempotencyKey: string }) => withdraw.idempotencyKey),
    ).toEqual(['h-3', 'h-1'])
  })

  it('starts from the configured balance', async () => {
    const harness = createHarness({ startingBalanceCents: 123_45 })
    expect(await balance(harness)).toBe(123_45)
  })
})
