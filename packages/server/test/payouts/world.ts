/**
 * The payout service wired to the Coinflow emulator, in one process: the emulator's manual clock
 * is the BFF's clock too, webhooks the emulator raises wait in `harness.deliveries` until a test
 * delivers them (in order, twice, reversed or never), and faults switch on per test.
 */
import type { CreatePayoutRequest } from '@shareflow/contract'
import { expect } from 'vitest'
import type { Harness } from '../../src/emulator/coinflow/test-harness'
import {
  API_KEY,
  approvedUser,
  createHarness,
  linkedBankAccount,
} from '../../src/emulator/coinflow/test-harness'
import { createMemoryLogger } from '../../src/logger'
import { createPayoutCoinflow } from '../../src/payouts/coinflow-port'
import { createPayoutService, type PayoutServiceOptions } from '../../src/payouts/service'
import { createMemoryStore } from '../../src/store/memory'
import type { ShareflowStore } from '../../src/store/types'
import { createCoinflowClient } from '../../src/upstream/coinflow'
import { createTestLedger, type TestLedger } from './ledger'

export const USER = 'user-1'

/** The destination tokens of an approved user with one of each kind linked. */
export interface LinkedDestinations {
  bank: string
  card: string
  ibanEur: string
  ibanGbp: string
  pix: string
}

export async function linkEveryKind(harness: Harness, userId = USER): Promise<LinkedDestinations> {
  const state = harness.coinflow.state
  const bank = await linkedBankAccount(harness, userId)
  const cardToken = state.tokenizeCard('4169050000000004').token
  const card = await state.addCard(userId, { cardToken, expMonth: '12', expYear: '30' })
  const ibanEur = await state.addIban(userId, { number: 'DE89370400440532013000', alias: 'Euro' })
  const ibanGbp = await state.addIban(userId, { number: '22052471', sortCode: '202678' })
  const pix = await state.addPix(userId, '40882598074')
  return { bank, card, ibanEur, ibanGbp, pix }
}

export interface PayoutWorldOptions {
  service?: Partial<Omit<PayoutServiceOptions, 'store' | 'coinflow' | 'ledger' | 'clock'>>
  ledger?: TestLedger
  store?: ShareflowStore
}

export async function createPayoutWorld(options: PayoutWorldOptions = {}) {
  // A Coinflow outage on demand: every API call answers 503, as Coinflow's does.
  let outage = false
  let losingPayoutAnswers = false
  const harness = createHarness({
    middleware: [
      async (c, next) => {
        if (!outage) return next()
        return c.json({ message: 'Service temporarily unavailable, please retry' }, 503)
      },
    ],
  })
  await approvedUser(harness, USER)
  const destinations = await linkEveryKind(harness)
  const ledger =
    options.ledger ??
    createTestLedger({
      [USER]: [
        { cents: 2_000_000_00, currency: 'USD' },
        { cents: 10_000_00, currency: 'EUR' },
        { cents: 10_000_00, currency: 'GBP' },
        { cents: 10_000_00, currency: 'BRL' },
      ],
    })
  const store = options.store ?? createMemoryStore({ clock: harness.clock })
  const logger = createMemoryLogger({ clock: harness.clock })
  const client = createCoinflowClient({
    apiKey: API_KEY,
    merchantId: harness.coinflow.state.merchantId,
    baseUrl: 'http://coinflow.test/api',
    fetch: async (input, init) => {
      const response = await harness.coinflow.api.request(String(input), init)
      // Coinflow did the work, but its answer never reaches us (a dropped connection).
      if (losingPayoutAnswers && String(input).endsWith('/payout/delegated')) {
        throw new TypeError('fetch failed: the connection was reset')
      }
      return response
    },
    clock: harness.clock,
    sleep: async () => {},
    logger,
  })

  const service = (overrides: PayoutWorldOptions['service'] = {}) =>
    createPayoutService({
      store,
      coinflow: createPayoutCoinflow(client),
      ledger,
      clock: harness.clock,
      logger,
      lockWaitMs: 2_000,
      ...options.service,
      ...overrides,
    })

  /** Withdraw webhooks raised so far, oldest first, parsed. */
  const withdrawEvents = () =>
    harness
      .webhookEvents()
      .filter((event) => event.eventType.startsWith('Withdraw'))
      .map((event) => ({
        eventType: event.eventType,
        signature: event.data.signature as string,
        idempotencyKey: event.data.idempotencyKey as string,
        userId: event.data.userId as string,
      }))

  /**
   * `body` with the fee a quote shows `userId` for it, as the kit sends it (a payout is made only
   * at the fee the user saw). Quoted by a service of its own, so the service under test makes its
   * own calls as before.
   */
  const shown = async (
    body: Omit<CreatePayoutRequest, 'fee'>,
    userId = USER,
  ): Promise<CreatePayoutRequest> => {
    const quote = await service().quote(userId, {
      amount: body.amount,
      destinationId: body.destinationId,
    })
    const option = quote.options.find((candidate) => candidate.speed === body.speed)
    if (!option) throw new Error(`no ${body.speed} option to show for ${body.destinationId}`)
    return { ...body, fee: option.fee }
  }

  /** Coinflow's payouts for one of our idempotency keys. */
  const coinflowPayouts = (coinflowKey?: string) =>
    harness.coinflow.state.payouts.filter(
      (payout) => coinflowKey === undefined || payout.idempotencyKey === coinflowKey,
    )

  return {
    harness,
    /** Starts or ends a Coinflow outage. */
    setOutage: (on: boolean) => {
      outage = on
    },
    /** While on, Coinflow makes payouts but its answers are lost on the way back. */
    setLosingPayoutAnswers: (on: boolean) => {
      losingPayoutAnswers = on
    },
    destinations,
    ledger,
    store,
    logger,
    client,
    service,
    shown,
    withdrawEvents,
    coinflowPayouts,
    /** Moves both clocks (they are one) and lets the emulator settle what is due. */
    advance: (ms: number) => harness.advance(ms),
  }
}

export type PayoutWorld = Awaited<ReturnType<typeof createPayoutWorld>>

/** Checks that every payout the emulator holds has exactly one key, and each key one payout. */
export function expectOneCoinflowPayoutPerKey(payoutWorld: PayoutWorld): void {
  const keys = payoutWorld.coinflowPayouts().map((payout) => payout.idempotencyKey)
  expect(new Set(keys).size).toBe(keys.length)
}
