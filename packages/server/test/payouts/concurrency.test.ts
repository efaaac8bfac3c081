/**
 * Two BFF instances behind a load balancer, sharing one real Redis (a `redis-server` this test
 * starts) and one host ledger, take hundreds of payout requests at once: double clicks, retries,
 * the same key landing on both instances. Coinflow must see exactly one payout per key, the host
 * must be debited exactly once per payout, and the books must balance to the cent, before and
 * after the webhooks (also spread over both instances) settle everything.
 */
import { Payout } from '@shareflow/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createShareflowApp, type ShareflowApp } from '../../src/app'
import { createEmulator, createManualClock } from '../../src/emulator'
import { kycInfoOf, sandboxAccounts, sandboxPeople } from '../../src/emulator/sandbox-people'
import { silentLogger } from '../../src/logger'
import { coinflowKeyFor } from '../../src/payouts/ids'
import { createPayoutsModule, type PayoutsModule } from '../../src/payouts/module'
import { createRedisStore } from '../../src/store/redis'
import type { ShareflowStore } from '../../src/store/types'
import { startRedisServer, type RedisServer } from '../redis-server'
import { createTestLedger } from './ledger'
import { withShownFee } from './shown-fee'

const USER = 'user-busy'
const MERCHANT_ID = 'shareflow-concurrency'
const API_KEY = 'coinflow_sandbox_concurrency'
const WEBHOOK_KEY = 'coinflow_validation_key_concurrency'
const KEYS = 80
const COPIES = 4
const OPENING = 1_000_000_00

let redis: RedisServer
const stores: ShareflowStore[] = []

beforeAll(async () => {
  redis = await startRedisServer()
}, 30_000)

afterAll(async () => {
  for (const store of stores) await store.close()
  await redis?.stop()
})

it('makes exactly one Coinflow payout per key from hundreds of requests on two instances', async () => {
  const clock = createManualClock()
  const instances: ShareflowApp[] = []
  let nextInstance = 0
  const emulator = createEmulator({
    seed: 3,
    clock,
    // The load balancer: each webhook delivery goes to the next instance.
    webhookFetch: async (input, init) =>
      instances[nextInstance++ % instances.length]!.request(new Request(input, init)),
    coinflow: {
      merchantId: MERCHANT_ID,
      webhook: { url: 'https://host.test/webhooks/coinflow', validationKey: WEBHOOK_KEY },
    },
  })
  const ledger = createTestLedger({ [USER]: [{ cents: OPENING, currency: 'USD' }] })
  const modules: PayoutsModule[] = []
  for (let i = 0; i < 2; i++) {
    const store = createRedisStore({ url: redis.url, keyPrefix: 'concurrency:' })
    stores.push(store)
    const payouts = createPayoutsModule({ ledger, lookupAfterMs: 60_000 })
    modules.push(payouts)
    instances.push(
      createShareflowApp({
        getUser: (c) =>
          c.req.header('x-user')
            ? { id: c.req.header('x-user')!, email: 'busy@example.com' }
            : null,
        persona: {
          apiKey: 'persona_sandbox_concurrency',
          templateId: 'itmpl_Concurrency000000000001',
          connectionId: 'cxn_Concurrency0000000000001',
        },
        coinflow: {
          apiKey: API_KEY,
          merchantId: MERCHANT_ID,
          env: 'sandbox',
          webhookKey: WEBHOOK_KEY,
        },
        fetch: emulator.fetch,
        store,
        clock,
        logger: silentLogger,
        upstream: { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } },
        modules: [payouts],
      }),
    )
  }

  // An approved withdrawer with a bank account, made through Coinflow's API.
  const coinflow = (path: string, body: unknown) =>
    emulator.fetch(`https://api-sandbox.coinflow.cash/api${path}`, {
      method: 'POST',
      headers: {
        Authorization: API_KEY,
        'x-coinflow-auth-user-id': USER,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    })
  const busyUser = {
    ...sandboxPeople.usVerified,
    firstName: 'Busy',
    lastName: 'User',
    email: 'busy@example.com',
  }
  const registered = await coinflow('/withdraw/kyc', { info: kycInfoOf(busyUser) })
  expect(registered.status).toBe(200)
  const linked = await coinflow('/withdraw/account/v2', {
    alias: 'Checking',
    ...sandboxAccounts.usChecking,
  })
  const bank = ((await linked.json()) as { withdrawer: { bankAccounts: Array<{ token: string }> } })
    .withdrawer.bankAccounts[0]!.token

  // Every key sent COPIES times at once, alternating instances: double clicks and retries racing.
  const amountOf = (key: number) => 10_00 + key
  // Each key's body at the fee its quote shows, quoted once (both instances quote alike).
  const bodies = new Map<number, Promise<unknown>>()
  const shownBody = (key: number) => {
    const quote = (request: unknown) =>
      instances[0]!.request('https://host.test/quotes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-user': USER },
        body: JSON.stringify(request),
      })
    if (!bodies.has(key)) {
      bodies.set(
        key,
        withShownFee(quote, {
          amount: { cents: amountOf(key), currency: 'USD' },
          speed: 'asap',
          destinationId: bank,
        }),
      )
    }
    return bodies.get(key)!
  }
  const requests = Array.from({ length: KEYS * COPIES }, async (_, n) => {
    const key = n % KEYS
    const response = await instances[n % 2]!.request('https://host.test/payouts', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'x-user': USER,
        'Idempotency-Key': `busy-key-${String(key).padStart(4, '0')}`,
      },
      body: JSON.stringify(await shownBody(key)),
    })
    return { key, status: response.status, payout: Payout.parse(await response.json()) }
  })
  const answers = await Promise.all(requests)
  expect(answers.length).toBe(320)

  // One payout per key, whichever instance answered.
  const idsByKey = new Map<number, Set<string>>()
  for (const answer of answers) {
    expect([200, 201]).toContain(answer.status)
    const ids = idsByKey.get(answer.key) ?? new Set()
    ids.add(answer.payout.id)
    idsByKey.set(answer.key, ids)
  }
  expect([...idsByKey.values()].every((ids) => ids.size === 1)).toBe(true)
  expect(answers.filter((answer) => answer.status === 201)).toHaveLength(KEYS)

  // Coinflow holds exactly one payout per key, and the host was debited once per payout.
  const history = await emulator.fetch('https://api-sandbox.coinflow.cash/api/withdraw/history', {
    headers: { Authorization: API_KEY, 'x-coinflow-auth-user-id': USER },
  })
  const { withdraws } = (await history.json()) as { withdraws: Array<{ idempotencyKey: string }> }
  const payoutIds = [...idsByKey.values()].map((ids) => [...ids][0]!)
  expect(withdraws).toHaveLength(KEYS)
  expect(new Set(withdraws.map((w) => w.idempotencyKey))).toEqual(
    new Set(payoutIds.map(coinflowKeyFor)),
  )
  for (const id of payoutIds) expect(ledger.calls('authorize', id)).toBe(1)
  const total = Array.from({ length: KEYS }, (_, key) => amountOf(key)).reduce((a, b) => a + b, 0)
  expect(ledger.balance(USER, 'USD')).toBe(OPENING - total)

  // Settlement: RTP lands in seconds, the Withdraw webhooks alternate between the instances.
  clock.advance(2_000)
  await emulator.flush()
  for (const module of modules) await module.service.resumeDue()
  for (const id of payoutIds) {
    const response = await instances[0]!.request(`https://host.test/payouts/${id}`, {
      headers: { 'x-user': USER },
    })
    expect(Payout.parse(await response.json()).state).toBe('succeeded')
    expect(ledger.calls('settle', id)).toBe(1)
  }
  expect(ledger.balance(USER, 'USD')).toBe(OPENING - total)
  emulator.close()
}, 120_000)
