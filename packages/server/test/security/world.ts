/**
 * Test-only: the whole BFF (identity and payouts) against the emulator, with one user already
 * verified through the real journeys and a bank account linked through Coinflow's hosted API,
 * ready to be attacked. Built on the journey harness, so every vendor request is spec-checked.
 */
import { Payout, type Destination } from '@shareflow/contract'
import { expect } from 'vitest'
import { createPayoutsModule } from '../../src/payouts/module'
import {
  BFF_ORIGIN,
  COINFLOW_API_KEY,
  MOUNT,
  createJourneyHarness,
  type HarnessOptions,
} from '../journeys/harness'
import { createTestLedger } from '../payouts/ledger'
import { withShownFee } from '../payouts/shown-fee'

export const jane = { id: 'user-jane', email: 'jane@example.com', country: 'US' }
export const OPENING_CENTS = 1_000_000_00

export async function createVerifiedWorld(options: HarnessOptions = {}) {
  const ledger = createTestLedger({ [jane.id]: [{ cents: OPENING_CENTS, currency: 'USD' }] })
  const payouts = createPayoutsModule({ ledger, lookupAfterMs: 60_000 })
  const harness = createJourneyHarness({
    ...options,
    app: { modules: [payouts], ...options.app },
  })
  harness.signIn(jane)
  await harness.verifyAndShare(jane.id)
  await harness.advance(3_000)
  expect((await harness.session(jane.id)).kyc.state).toBe('approved')

  // Journey 6 as the user does it: the bank account in Coinflow's hosted UI.
  const linked = await harness.emulator.fetch(
    'https://api-sandbox.coinflow.cash/api/withdraw/account/v2',
    {
      method: 'POST',
      headers: {
        Authorization: COINFLOW_API_KEY,
        'x-coinflow-auth-user-id': jane.id,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        alias: 'Everyday checking',
        routingNumber: '011401533',
        accountNumber: '1111222233330000',
        type: 'checking',
      }),
    },
  )
  expect(linked.status).toBe(200)
  const bank = (await harness.session(jane.id)).destinations[0] as Destination
  expect(bank.type).toBe('bank_account')

  /** `POST /payouts` as Jane to her bank account. */
  async function payout(cents: number, idempotencyKey: string) {
    const body = await withShownFee((quote) => harness.as(jane.id).post('/quotes', quote), {
      amount: { cents, currency: 'USD' },
      speed: 'asap',
      destinationId: bank.id,
    })
    const response = await harness
      .as(jane.id)
      .post('/payouts', body, { headers: { 'Idempotency-Key': idempotencyKey } })
    expect(response.status, await response.clone().text()).toBeLessThan(300)
    return Payout.parse(await response.json())
  }

  /** A raw request to the mounted BFF, headers as given (no session unless sent). */
  const request = (path: string, init: RequestInit = {}) =>
    harness.host.request(`${BFF_ORIGIN}${MOUNT}${path}`, init)

  return { harness, ledger, payouts, bank, payout, request }
}

export type VerifiedWorld = Awaited<ReturnType<typeof createVerifiedWorld>>
