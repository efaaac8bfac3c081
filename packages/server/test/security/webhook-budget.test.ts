/**
 * A vendor's webhook burst comes from few addresses; over real HTTP, its verified deliveries must
 * not be refused by the per-address limit meant for browsers (a review saw 100 of 1,300 genuine
 * deliveries answered 429), while deliveries that fail verification still are.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import type { RateLimitOptions } from '../../src/security'
import { signWebhook } from '../../src/webhooks/signature'
import { ADDRESS_HEADER, createTestBff } from './bff'

const VENDOR_ADDRESS = '198.51.100.20'
const PER_ADDRESS = 5

let server: ServingShareflow | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serveWith(rateLimits: RateLimitOptions = {}) {
  const bff = createTestBff({
    rateLimits: { perAddress: { limit: PER_ADDRESS, windowMs: 60_000 }, ...rateLimits },
  })
  server = await serveShareflow({ app: bff.app })
  return bff
}

let sequence = 0
/** A Coinflow delivery of an event the BFF acknowledges and ignores; each one distinct. */
const coinflowDelivery = () =>
  JSON.stringify({ eventType: 'Settlement', category: 'Other', data: { n: ++sequence } })

function postCoinflow(authorization: string, body = coinflowDelivery()) {
  return fetch(`${server!.url}/webhooks/coinflow`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: authorization,
      [ADDRESS_HEADER]: VENDOR_ADDRESS,
    },
    body,
  })
}

async function postPersona(signed: boolean, nowSeconds: number) {
  const id = `evt_budget_${++sequence}`
  const body = JSON.stringify({
    data: {
      type: 'event',
      id,
      attributes: {
        name: 'inquiry.created',
        'created-at': '2026-11-22T12:00:00.000Z',
        payload: { data: { type: 'account', id: 'act_1', attributes: {} } },
      },
    },
  })
  const secret = signed ? 'wbhsec_security_unit' : 'wbhsec_someone_else'
  return fetch(`${server!.url}/webhooks/persona`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Persona-Signature': await signWebhook({ payload: body, secret, timestamp: nowSeconds }),
      [ADDRESS_HEADER]: VENDOR_ADDRESS,
    },
    body,
  })
}

const statuses = async (responses: Promise<Response>[]) =>
  Promise.all(
    responses.map(async (pending) => {
      const response = await pending
      await response.body?.cancel()
      return response.status
    }),
  )

describe('webhook deliveries and the per-address limit', () => {
  it("accepts a burst of verified deliveries from one address far past that address's budget", async () => {
    await serveWith()
    // Vendors sign with real time, and the BFF verifies against it whatever its own clock says.
    const now = Math.floor(Date.now() / 1000)
    const burst = [
      ...Array.from({ length: 30 }, () => postCoinflow('cf_key')),
      ...Array.from({ length: 10 }, () => postPersona(true, now)),
    ]
    expect(await statuses(burst)).toEqual(Array(40).fill(200))
  })

  it('still refuses unverifiable deliveries past the budget, before verifying them', async () => {
    const { logger } = await serveWith()
    const refusals = () =>
      logger.records().filter((record) => /webhook refused/.test(record.msg)).length
    const now = Math.floor(Date.now() / 1000)
    const forged = await statuses(
      Array.from({ length: PER_ADDRESS }, (_, i) =>
        i % 2 ? postCoinflow('not-the-key') : postPersona(false, now),
      ),
    )
    expect(forged).toEqual(Array(PER_ADDRESS).fill(403))
    const refusedBefore = refusals()
    expect(refusedBefore).toBe(PER_ADDRESS)

    const throttled = await postCoinflow('not-the-key')
    expect(throttled.status).toBe(429)
    expect(Number(throttled.headers.get('Retry-After'))).toBeGreaterThan(0)
    await throttled.body?.cancel()
    // Refused on its address alone: nothing more was verified.
    expect(refusals()).toBe(refusedBefore)
  })

  it("budgets each vendor's verified deliveries in a lane of their own", async () => {
    await serveWith({ webhooks: { limit: 3, windowMs: 60_000 } })
    expect(await statuses(Array.from({ length: 3 }, () => postCoinflow('cf_key')))).toEqual([
      200, 200, 200,
    ])
    const over = await postCoinflow('cf_key')
    expect(over.status).toBe(429)
    expect(Number(over.headers.get('Retry-After'))).toBeGreaterThan(0)
    await over.body?.cancel()
  })
})
