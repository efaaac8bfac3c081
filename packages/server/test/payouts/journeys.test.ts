/**
 * Journeys 6–8 through the BFF's HTTP routes, against the emulator: a user verified through the
 * real KYC journey links destinations, asks for quotes and pays out; webhooks arrive through the
 * BFF's own signed webhook route, and changes reach the browser over SSE.
 */
import {
  DestinationList,
  ErrorEnvelope,
  MAX_AMOUNT_CENTS,
  Payout,
  PayoutList,
  Quote,
  type CreatePayoutRequest,
  type Destination,
} from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createPayoutsModule, type PayoutsModule } from '../../src/payouts/module'
import type { PayoutServiceOptions } from '../../src/payouts/service'
import {
  BFF_ORIGIN,
  COINFLOW_API_KEY,
  MOUNT,
  createJourneyHarness,
  type HarnessOptions,
  type JourneyHarness,
} from '../journeys/harness'
import { createTestLedger, type TestLedger } from './ledger'
import { withShownFee } from './shown-fee'

const jane = { id: 'user-jane', email: 'jane@example.com' }
const USD_OPENING = 2_000_000_00

let harness: JourneyHarness
afterEach(() => harness?.close())

interface Setup {
  harness: JourneyHarness
  ledger: TestLedger
  payouts: PayoutsModule
}

/** A BFF with payouts, and Jane verified through journeys 3 and 2. */
async function verifiedJane(
  options: {
    harness?: HarnessOptions
    payouts?: Partial<PayoutServiceOptions>
    ledger?: TestLedger
  } = {},
): Promise<Setup> {
  const ledger =
    options.ledger ??
    createTestLedger({
      [jane.id]: [
        { cents: USD_OPENING, currency: 'USD' },
        { cents: 10_000_00, currency: 'EUR' },
        { cents: 10_000_00, currency: 'GBP' },
        { cents: 10_000_00, currency: 'BRL' },
      ],
    })
  const payouts = createPayoutsModule({ ledger, lookupAfterMs: 60_000, ...options.payouts })
  harness = createJourneyHarness({
    ...options.harness,
    app: { modules: [payouts], ...options.harness?.app },
  })
  harness.signIn(jane)
  await harness.verifyAndShare(jane.id)
  await harness.advance(3_000)
  expect((await harness.session(jane.id)).kyc.state).toBe('approved')
  return { harness, ledger, payouts }
}

/** A call to the emulated Coinflow as Coinflow's own hosted pages would make it for Jane. */
async function asCoinflowHostedPage(
  path: string,
  body: unknown,
  extra: Record<string, string> = {},
) {
  const response = await harness.emulator.fetch(`https://api-sandbox.coinflow.cash/api${path}`, {
    method: 'POST',
    headers: {
      Authorization: COINFLOW_API_KEY,
      'x-coinflow-auth-user-id': jane.id,
      'Content-Type': 'application/json',
      ...extra,
    },
    body: JSON.stringify(body),
  })
  expect(response.status, await response.clone().text()).toBe(200)
  return response.json()
}

/** Journey 6 as a user does it: the bank in Coinflow's hosted UI, the rest through the BFF. */
async function linkEverything() {
  const jane_ = harness.as(jane.id)
  await asCoinflowHostedPage('/withdraw/account/v2', {
    alias: 'Everyday checking',
    routingNumber: '011401533',
    accountNumber: '1111222233330000',
    type: 'checking',
  })
  const { token: cardToken } = (await asCoinflowHostedPage(
    '/tokenize/card-only',
    { data: '4169050000000004' },
    {
      'tx-token-scheme': 'sixANTOKENfour',
      'tx-tokenex-id': '4582952996979143',
      'tx-apikey': 'tokenex',
    },
  )) as { token: string }
  for (const [path, body] of [
    ['/destinations/card', { cardToken, expMonth: '12', expYear: '30' }],
    ['/destinations/iban', { number: 'DE89 3704 0044 0532 0130 00', alias: 'Euro account' }],
    ['/destinations/iban', { number: '22052471', sortCode: '202678' }],
    ['/destinations/pix', { pixKey: '40882598074' }],
  ] as const) {
    const response = await jane_.post(path, body)
    expect(response.status, await response.clone().text()).toBe(201)
  }
  const list = DestinationList.parse(await (await jane_.get('/destinations')).json())
  const byType = (type: Destination['type'], currency: Destination['currency']) =>
    list.destinations.find((d) => d.type === type && d.currency === currency)!
  return {
    list: list.destinations,
    bank: byType('bank_account', 'USD'),
    card: byType('card', 'USD'),
    eur: byType('iban', 'EUR'),
    gbp: byType('iban', 'GBP'),
    pix: byType('pix', 'BRL'),
  }
}

/** `POST /payouts` as the kit sends it, at the fee the user's quote shows (`withShownFee`). */
const postPayout = async (userId: string, key: string | null, body: unknown) =>
  harness
    .as(userId)
    .post(
      '/payouts',
      await withShownFee((request) => harness.as(userId).post('/quotes', request), body),
      key === null ? {} : { headers: { 'Idempotency-Key': key } },
    )

async function envelope(response: Response, status: number) {
  expect(response.status).toBe(status)
  return ErrorEnvelope.parse(await response.json()).error
}

const coinflowPayoutCalls = () =>
  harness.vendorRequests.filter((r) => r.method === 'POST' && r.path.endsWith('/payout/delegated'))

describe('journey 6: destinations', () => {
  it('lists every kind of destination masked, with its currency and speeds', async () => {
    await verifiedJane()
    expect(
      DestinationList.parse(await (await harness.as(jane.id).get('/destinations')).json()),
    ).toEqual({
      destinations: [],
    })
    const events = await harness.openEvents(jane.id)
    await events.next() // the KYC snapshot every stream starts with
    const { list } = await linkEverything()
    expect(
      list.map(({ type, currency, speeds, last4 }) => ({ type, currency, speeds, last4 })),
    ).toEqual([
      {
        type: 'bank_account',
        currency: 'USD',
        speeds: ['asap', 'same_day', 'standard'],
        last4: '0000',
      },
      { type: 'card', currency: 'USD', speeds: ['card'], last4: '0004' },
      { type: 'iban', currency: 'EUR', speeds: ['iban'], last4: '3000' },
      { type: 'iban', currency: 'GBP', speeds: ['iban'], last4: '2471' },
      { type: 'pix', currency: 'BRL', speeds: ['pix'], last4: '8074' },
    ])
    // Every change reached Jane's other tabs.
    for (let i = 0; i < 4; i++)
      expect((await events.next()).data).toEqual({ type: 'destinations.updated' })
    await events.close()
    // Full numbers and keys never come back out.
    const text = await (await harness.as(jane.id).get('/destinations')).text()
    for (const secret of [
      'DE89370400440532013000',
      '1111222233330000',
      '4169050000000004',
      '40882598074',
    ]) {
      expect(text).not.toContain(secret)
    }
  })

  it('never writes account numbers, keys, card numbers or emails to the log', async () => {
    await verifiedJane()
    const { eur, pix } = await linkEverything()
    await postPayout(jane.id, 'jane-log-check-01', {
      amount: { cents: 20_00, currency: 'EUR' },
      speed: 'iban',
      destinationId: eur.id,
    })
    await postPayout(jane.id, 'jane-log-check-02', {
      amount: { cents: 20_00, currency: 'BRL' },
      speed: 'pix',
      destinationId: pix.id,
    })
    await harness.advance(10_000)
    const log = harness.logger.lines.join('\n')
    expect(log).toContain('payout step')
    for (const secret of [
      'DE89370400440532013000',
      '3704 0044',
      '22052471',
      '1111222233330000',
      '4169050000000004',
      '40882598074',
      jane.email,
    ]) {
      expect(log).not.toContain(secret)
    }
  })

  it('shows the same destinations in the session', async () => {
    await verifiedJane()
    const { list } = await linkEverything()
    expect((await harness.session(jane.id)).destinations).toEqual(list)
  })

  it('removes a destination, and only one of the user’s own', async () => {
    await verifiedJane()
    const { eur } = await linkEverything()
    harness.signIn({ id: 'user-mallory', email: 'mallory@example.com' })
    const other = await harness.host.request(`${BFF_ORIGIN}${MOUNT}/destinations/${eur.id}`, {
      method: 'DELETE',
      headers: { 'x-host-session': 'user-mallory' },
    })
    expect(other.status).toBeGreaterThanOrEqual(400)
    const removed = await harness.host.request(`${BFF_ORIGIN}${MOUNT}/destinations/${eur.id}`, {
      method: 'DELETE',
      headers: { 'x-host-session': jane.id },
    })
    expect(removed.status).toBe(200)
    const { destinations } = DestinationList.parse(await removed.json())
    expect(destinations.map((d) => d.id)).not.toContain(eur.id)
    const again = await harness.host.request(`${BFF_ORIGIN}${MOUNT}/destinations/${eur.id}`, {
      method: 'DELETE',
      headers: { 'x-host-session': jane.id },
    })
    expect((await envelope(again, 404)).code).toBe('destination_not_found')
  })

  it('asks for a BIC when the bank needs one, and refuses raw card numbers', async () => {
    await verifiedJane()
    const needsBic = await harness
      .as(jane.id)
      .post('/destinations/iban', { number: 'TR330006100519786457841326' })
    expect(await envelope(needsBic, 400)).toMatchObject({
      code: 'invalid_request',
      fields: [{ path: 'bic' }],
    })
    const rawCard = await harness.as(jane.id).post('/destinations/card', {
      cardNumber: '4169050000000004',
      expMonth: '12',
      expYear: '30',
    })
    const error = await envelope(rawCard, 400)
    expect(error.code).toBe('invalid_request')
    expect(JSON.stringify(error)).not.toContain('4169050000000004')
  })
})

describe('journey 7: quotes', () => {
  it('offers every speed a bank account allows, with fee, receive, limit and delivery', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const response = await harness.as(jane.id).post('/quotes', {
      amount: { cents: 100_00, currency: 'USD' },
      destinationId: bank.id,
    })
    expect(response.status).toBe(200)
    const quote = Quote.parse(await response.json())
    expect(quote.options.map((o) => [o.speed, o.effectiveSpeed, o.available])).toEqual([
      ['asap', 'asap', true],
      ['same_day', 'same_day', true],
      ['standard', 'standard', true],
    ])
    expect(quote.options[2]).toMatchObject({ fee: { cents: 25 }, receive: { cents: 99_75 } })
  })

  it('shows same_day above $1,000,000 as standard, and marks speeds over their limit', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const quote = Quote.parse(
      await (
        await harness.as(jane.id).post('/quotes', {
          amount: { cents: 1_000_000_01, currency: 'USD' },
          destinationId: bank.id,
        })
      ).json(),
    )
    expect(quote.options).toMatchObject([
      {
        speed: 'asap',
        available: false,
        unavailableReason: 'over_limit',
        limit: { cents: 100_000_00 },
      },
      { speed: 'same_day', effectiveSpeed: 'standard', available: true },
      { speed: 'standard', effectiveSpeed: 'standard', available: true },
    ])
  })

  it.each([
    ['card', 'USD', 'card'],
    ['eur', 'EUR', 'iban'],
    ['gbp', 'GBP', 'iban'],
    ['pix', 'BRL', 'pix'],
  ] as const)('quotes the %s destination in its own currency', async (kind, currency, speed) => {
    await verifiedJane()
    const destinations = await linkEverything()
    const quote = Quote.parse(
      await (
        await harness.as(jane.id).post('/quotes', {
          amount: { cents: 100_00, currency },
          destinationId: destinations[kind].id,
        })
      ).json(),
    )
    const [option] = quote.options
    expect(option).toMatchObject({
      speed,
      available: true,
      fee: { currency },
      receive: { currency },
    })
    // What the user sees adds up: the amount is what they receive plus the fee.
    expect(option!.receive.cents + option!.fee.cents).toBe(100_00)
  })

  it('quotes the largest amount in every currency, and refuses a cent more as bad input', async () => {
    await verifiedJane()
    const destinations = await linkEverything()
    for (const [kind, currency] of [
      ['bank', 'USD'],
      ['eur', 'EUR'],
      ['gbp', 'GBP'],
      ['pix', 'BRL'],
    ] as const) {
      const ask = (cents: number) =>
        harness.as(jane.id).post('/quotes', {
          amount: { cents, currency },
          destinationId: destinations[kind].id,
        })
      const largest = await ask(MAX_AMOUNT_CENTS)
      expect(largest.status, `${kind}: ${await largest.clone().text()}`).toBe(200)
      const quote = Quote.parse(await largest.json())
      expect(
        quote.options.every((o) => o.unavailableReason === 'over_limit'),
        kind,
      ).toBe(true)
      const tooMuch = await envelope(await ask(MAX_AMOUNT_CENTS + 1), 400)
      expect(tooMuch).toMatchObject({ code: 'invalid_request' })
      expect(
        tooMuch.fields?.map((f) => f.path),
        kind,
      ).toEqual(['amount.cents'])
    }
  })

  it('asks Coinflow once for many identical quotes at once (a typing user)', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const before = harness.count('coinflow', 'POST', /\/payout\/delegated\/quote$/)
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        harness
          .as(jane.id)
          .post('/quotes', { amount: { cents: 42_00, currency: 'USD' }, destinationId: bank.id }),
      ),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(harness.count('coinflow', 'POST', /\/payout\/delegated\/quote$/) - before).toBe(1)
  })

  it.each([
    [
      'a currency the destination does not pay in',
      { cents: 10_00, currency: 'EUR' },
      422,
      'amount_not_allowed',
    ],
    ['zero', { cents: 0, currency: 'USD' }, 400, 'invalid_request'],
    ['a negative amount', { cents: -5, currency: 'USD' }, 400, 'invalid_request'],
    ['fractional cents', { cents: 10.5, currency: 'USD' }, 400, 'invalid_request'],
    ['dollars as a string', { cents: '10.00', currency: 'USD' }, 400, 'invalid_request'],
    ['an unknown currency', { cents: 10_00, currency: 'JPY' }, 400, 'invalid_request'],
  ])('refuses %s in the error envelope', async (_, amount, status, code) => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const response = await harness.as(jane.id).post('/quotes', { amount, destinationId: bank.id })
    expect((await envelope(response, status)).code).toBe(code)
  })
})

describe('journey 8: payouts', () => {
  const usd = (
    destinationId: string,
    cents: number,
    speed: CreatePayoutRequest['speed'] = 'asap',
  ) => ({
    amount: { cents, currency: 'USD' },
    speed,
    destinationId,
  })

  it('pays out, follows the payout to success by webhook, and pushes each step over SSE', async () => {
    const { ledger } = await verifiedJane()
    const { bank } = await linkEverything()
    const events = await harness.openEvents(jane.id)
    await events.next()
    const response = await postPayout(jane.id, 'jane-click-0001', usd(bank.id, 250_00))
    expect(response.status).toBe(201)
    const payout = Payout.parse(await response.json())
    expect(payout).toMatchObject({
      state: 'pending',
      speed: 'asap',
      effectiveSpeed: 'asap',
      amount: { cents: 250_00, currency: 'USD' },
      destination: { id: bank.id, type: 'bank_account', last4: '0000' },
    })
    const steps: string[] = []
    for (let i = 0; i < 4; i++) {
      const { data } = await events.next()
      if (data.type === 'payout.updated') steps.push(data.payout.state)
    }
    expect(steps).toEqual(['accepted', 'authorized', 'submitted', 'pending'])

    // RTP settles in seconds; Coinflow's Withdraw Success reaches the BFF's webhook route.
    await harness.advance(2_000)
    expect((await events.next()).data).toMatchObject({
      type: 'payout.updated',
      payout: { id: payout.id, state: 'succeeded' },
    })
    await events.close()
    expect(
      harness.webhookAnswers
        .filter((a) => a.vendor.endsWith('/webhooks/coinflow'))
        .every((a) => a.status === 200),
    ).toBe(true)
    const settled = Payout.parse(
      await (await harness.as(jane.id).get(`/payouts/${payout.id}`)).json(),
    )
    expect(settled.state).toBe('succeeded')
    expect(ledger.calls('settle', payout.id)).toBe(1)
    expect(ledger.balance(jane.id, 'USD')).toBe(USD_OPENING - 250_00)
  })

  it.each([
    ['card', 'USD', 'card', 40_00],
    ['eur', 'EUR', 'iban', 80_00],
    ['gbp', 'GBP', 'iban', 60_00],
    ['pix', 'BRL', 'pix', 150_00],
  ] as const)(
    'pays the %s destination in its currency, debiting that balance',
    async (kind, currency, speed, cents) => {
      const { ledger } = await verifiedJane()
      const destinations = await linkEverything()
      const response = await postPayout(jane.id, `jane-${kind}-0001`, {
        amount: { cents, currency },
        speed,
        destinationId: destinations[kind].id,
      })
      expect(response.status, await response.clone().text()).toBe(201)
      const payout = Payout.parse(await response.json())
      expect(payout).toMatchObject({
        state: 'pending',
        amount: { cents, currency },
        effectiveSpeed: speed,
        fee: { currency },
      })
      await harness.advance(10_000)
      expect(
        Payout.parse(await (await harness.as(jane.id).get(`/payouts/${payout.id}`)).json()).state,
      ).toBe('succeeded')
      expect(ledger.balance(jane.id, currency)).toBe(
        (currency === 'USD' ? USD_OPENING : 10_000_00) - cents,
      )
    },
  )

  it('sends same_day above $1,000,000 as standard and says so', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const response = await postPayout(
      jane.id,
      'jane-big-0001',
      usd(bank.id, 1_000_000_01, 'same_day'),
    )
    expect(Payout.parse(await response.json())).toMatchObject({
      speed: 'same_day',
      effectiveSpeed: 'standard',
    })
  })

  it('needs an Idempotency-Key, and answers a double click with the same payout', async () => {
    const { ledger } = await verifiedJane()
    const { bank } = await linkEverything()
    expect((await envelope(await postPayout(jane.id, null, usd(bank.id, 10_00)), 400)).code).toBe(
      'idempotency_key_missing',
    )
    expect(
      (await envelope(await postPayout(jane.id, 'short', usd(bank.id, 10_00)), 400)).code,
    ).toBe('invalid_request')
    const [first, second] = await Promise.all([
      postPayout(jane.id, 'jane-double-0001', usd(bank.id, 10_00)),
      postPayout(jane.id, 'jane-double-0001', usd(bank.id, 10_00)),
    ])
    const statuses = [first!.status, second!.status].sort()
    expect(statuses).toEqual([200, 201])
    const replay = first!.status === 200 ? first! : second!
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true')
    const [a, b] = [Payout.parse(await first!.json()), Payout.parse(await second!.json())]
    expect(a.id).toBe(b.id)
    expect(coinflowPayoutCalls()).toHaveLength(1)
    expect(ledger.calls('authorize')).toBe(1)
    const reused = await postPayout(jane.id, 'jane-double-0001', usd(bank.id, 11_00))
    expect((await envelope(reused, 422)).code).toBe('idempotency_key_reused')
  })

  it('keeps payouts private: another user sees neither the payout nor the key', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const mine = Payout.parse(
      await (await postPayout(jane.id, 'jane-private-01', usd(bank.id, 10_00))).json(),
    )
    harness.signIn({ id: 'user-mallory', email: 'mallory@example.com' })
    expect(
      (await envelope(await harness.as('user-mallory').get(`/payouts/${mine.id}`), 404)).code,
    ).toBe('not_found')
    expect(
      PayoutList.parse(await (await harness.as('user-mallory').get('/payouts')).json()).payouts,
    ).toEqual([])
    // Mallory can't pay to Jane's destination, even with Jane's key.
    const theft = await postPayout('user-mallory', 'jane-private-01', usd(bank.id, 10_00))
    expect(theft.status).toBeGreaterThanOrEqual(400)
    expect((await harness.as(null).get('/payouts')).status).toBe(401)
  })

  it('lists the user’s payouts newest first, a page at a time', async () => {
    await verifiedJane()
    const { bank } = await linkEverything()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      const response = await postPayout(jane.id, `jane-history-${i}0`, usd(bank.id, 10_00 + i))
      expect(response.status, await response.clone().text()).toBe(201)
      ids.push(Payout.parse(await response.json()).id)
      await harness.advance(1)
    }
    const first = PayoutList.parse(await (await harness.as(jane.id).get('/payouts?limit=2')).json())
    expect(first.payouts.map((p) => p.id)).toEqual([ids[4], ids[3]])
    const second = PayoutList.parse(
      await (await harness.as(jane.id).get(`/payouts?limit=2&before=${first.nextCursor}`)).json(),
    )
    expect(second.payouts.map((p) => p.id)).toEqual([ids[2], ids[1]])
    const last = PayoutList.parse(
      await (await harness.as(jane.id).get(`/payouts?limit=2&before=${second.nextCursor}`)).json(),
    )
    expect(last).toEqual({ payouts: [expect.objectContaining({ id: ids[0] })] })
    expect(
      (await envelope(await harness.as(jane.id).get('/payouts?before=nonsense'), 400)).code,
    ).toBe('invalid_request')
  })

  it('refuses with the host’s own words when the balance is too low, moving nothing', async () => {
    await verifiedJane({
      ledger: createTestLedger({ [jane.id]: [{ cents: 5_00, currency: 'USD' }] }),
    })
    const { bank } = await linkEverything()
    const error = await envelope(
      await postPayout(jane.id, 'jane-broke-0001', usd(bank.id, 6_00)),
      402,
    )
    expect(error).toMatchObject({
      code: 'payout_refused',
      message: 'Your balance is too low for this withdrawal.',
    })
    expect(coinflowPayoutCalls()).toHaveLength(0)
  })

  it('says payouts are unavailable when the merchant wallet is empty (402), and alerts the operator', async () => {
    const { ledger } = await verifiedJane({
      harness: { emulator: { coinflow: { startingBalanceCents: 5_00 } } },
    })
    const { bank } = await linkEverything()
    const error = await envelope(
      await postPayout(jane.id, 'jane-empty-0001', usd(bank.id, 20_00)),
      503,
    )
    expect(error.code).toBe('payouts_unavailable')
    expect(ledger.balance(jane.id, 'USD')).toBe(USD_OPENING)
    expect(
      harness.logger
        .records()
        .some((line) => line.level === 'error' && line.alert === 'coinflow_insufficient_funds'),
    ).toBe(true)
  })

  it('sends the user back to verification on a 451, with the link, and returns the balance', async () => {
    const { ledger } = await verifiedJane()
    const { bank } = await linkEverything()
    const link = 'http://localhost:3000/verification/abc123'
    harness.intercept((request) =>
      request.path.endsWith('/payout/delegated')
        ? Response.json(
            { verificationLink: link, message: 'User must complete additional verification' },
            { status: 451 },
          )
        : undefined,
    )
    const error = await envelope(
      await postPayout(jane.id, 'jane-451-00001', usd(bank.id, 20_00)),
      451,
    )
    expect(error).toMatchObject({ code: 'verification_required', verificationLink: link })
    expect(ledger.balance(jane.id, 'USD')).toBe(USD_OPENING)
    expect(ledger.calls('reverse')).toBe(1)
    // The gate learns it too: Jane's KYC state now says where to go.
    expect(await harness.app.shareflow.kyc.current(jane.id)).toMatchObject({
      state: 'needs_more_info',
      nextAction: 'open_verification_link',
      verificationLink: link,
    })
  })

  it('rides out a Coinflow outage: the payout stays submitted and finishes with the same key', async () => {
    const { ledger } = await verifiedJane()
    const { bank } = await linkEverything()
    // Quote and destinations are fresh in the cache; then Coinflow starts answering 503.
    await harness
      .as(jane.id)
      .post('/quotes', { amount: { cents: 30_00, currency: 'USD' }, destinationId: bank.id })
    harness.emulator.world.faults.coinflow.errorRate = 1
    const response = await postPayout(jane.id, 'jane-outage-001', usd(bank.id, 30_00))
    expect(response.status).toBe(201)
    const payout = Payout.parse(await response.json())
    expect(payout.state).toBe('submitted')
    harness.emulator.world.faults.coinflow.errorRate = 0
    await harness.advance(5_000)
    // The next request moves it on (no timer needed, as on Workers).
    const resumed = Payout.parse(
      await (await harness.as(jane.id).get(`/payouts/${payout.id}`)).json(),
    )
    expect(resumed.state).toBe('pending')
    const keys = new Set(
      coinflowPayoutCalls().map((r) => (r.body as { idempotencyKey: string }).idempotencyKey),
    )
    expect(keys.size).toBe(1)
    expect(ledger.calls('authorize')).toBe(1)
  })

  it.each([
    ['late (never delivered)', { webhookDropRate: 1 }],
    ['duplicated', { webhookDuplicateRate: 1 }],
    ['reordered', { webhookReorderRate: 1 }],
  ])('ends in one terminal state when webhooks are %s', async (_, faults) => {
    const { ledger, payouts } = await verifiedJane()
    const { bank, card } = await linkEverything()
    Object.assign(harness.emulator.world.faults.coinflow, faults)
    const made = await Promise.all(
      [usd(bank.id, 12_00), usd(card.id, 13_00, 'card')].map(async (body, i) =>
        Payout.parse(await (await postPayout(jane.id, `jane-hooks-000${i}`, body)).json()),
      ),
    )
    await harness.advance(2_000)
    // Whatever the webhooks did, a lookup after a minute settles what is left.
    await harness.advance(60_000)
    await payouts.service.resumeDue()
    for (const payout of made) {
      const now = Payout.parse(
        await (await harness.as(jane.id).get(`/payouts/${payout.id}`)).json(),
      )
      expect(now.state).toBe('succeeded')
      expect(ledger.calls('settle', payout.id)).toBe(1)
    }
    expect(ledger.balance(jane.id, 'USD')).toBe(USD_OPENING - 25_00)
  })

  it.each([
    ['no body', undefined],
    [
      'a float amount',
      { amount: { cents: 1.5, currency: 'USD' }, speed: 'asap', destinationId: 'x' },
    ],
    [
      'a negative amount',
      { amount: { cents: -100, currency: 'USD' }, speed: 'asap', destinationId: 'x' },
    ],
    [
      'an unknown speed',
      { amount: { cents: 100, currency: 'USD' }, speed: 'teleport', destinationId: 'x' },
    ],
    [
      'an extra field',
      {
        amount: { cents: 100, currency: 'USD' },
        speed: 'asap',
        destinationId: 'x',
        userId: 'user-mallory',
      },
    ],
  ])('answers %s with the error envelope and moves no money', async (_, body) => {
    const { ledger } = await verifiedJane()
    const response = await postPayout(jane.id, 'jane-bad-input-01', body)
    expect((await envelope(response, 400)).code).toBe('invalid_request')
    expect(ledger.calls('authorize')).toBe(0)
    expect(coinflowPayoutCalls()).toHaveLength(0)
  })

  it('refuses amounts over the speed’s limit or in the wrong currency, moving no money', async () => {
    const { ledger } = await verifiedJane()
    const { card, pix } = await linkEverything()
    const over = await envelope(
      await postPayout(jane.id, 'jane-over-00001', usd(card.id, 10_000_01, 'card')),
      422,
    )
    expect(over).toMatchObject({
      code: 'amount_not_allowed',
      message: 'The most you can withdraw at this speed is $10,000.00.',
    })
    const currency = await envelope(
      await postPayout(jane.id, 'jane-curr-00001', usd(pix.id, 10_00, 'pix')),
      422,
    )
    expect(currency.code).toBe('amount_not_allowed')
    const speed = await envelope(
      await postPayout(jane.id, 'jane-speed-0001', usd(card.id, 10_00, 'asap')),
      422,
    )
    expect(speed.code).toBe('amount_not_allowed')
    expect(ledger.calls('authorize')).toBe(0)
    expect(coinflowPayoutCalls()).toHaveLength(0)
  })

  it('answers 409 quote_changed for a payout at a fee the quote does not show, moving no money', async () => {
    const { ledger } = await verifiedJane()
    const { bank } = await linkEverything()
    // Free: what no quote for an instant payout shows.
    const unseen = { ...usd(bank.id, 75_00), fee: { cents: 0, currency: 'USD' } }
    const error = await envelope(await postPayout(jane.id, 'jane-unseen-fee1', unseen), 409)
    expect(error).toMatchObject({ code: 'quote_changed', fields: [{ path: 'fee' }] })
    expect(ledger.calls('authorize')).toBe(0)
    expect(coinflowPayoutCalls()).toHaveLength(0)
    // The payout the user confirms after seeing the fresh figures goes through.
    expect((await postPayout(jane.id, 'jane-unseen-fee1', usd(bank.id, 75_00))).status).toBe(201)
  })
})
