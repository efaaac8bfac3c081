/**
 * The BFF's own count of Coinflow calls per request (the `upstream` field of each request's log
 * line), for the payout routes: every call made for a request counts on that request, a join on
 * a call already under way counts as a join, a cached answer counts nowhere, and work the BFF
 * does on its own (webhooks, recovery) counts on no request.
 */
import { Payout } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import type { ShareflowModule } from '../../src/shareflow-module'
import { createPayoutsModule } from '../../src/payouts/module'
import type { PayoutServiceOptions } from '../../src/payouts/service'
import type { UpstreamCall } from '../../src/upstream/http'
import { MOUNT, type JourneyHarness } from '../journeys/harness'
import { createVerifiedWorld, jane, OPENING_CENTS } from '../security/world'
import { createTestLedger } from './ledger'

interface CountedRequest {
  method: string
  path: string
  status: number
  calls: UpstreamCall[]
}

let harness: JourneyHarness
afterEach(() => harness?.close())

/** Jane verified with a bank account, and a module keeping each payout request's upstream calls. */
async function countedBff(service: Partial<PayoutServiceOptions> = {}) {
  const requests: CountedRequest[] = []
  // Listed before the payouts module, so its middleware wraps every payout route.
  const spy: ShareflowModule = {
    name: 'upstream-spy',
    register(app) {
      app.use(async function keepCalls(c, next) {
        await next()
        requests.push({
          method: c.req.method,
          path: c.req.path.slice(MOUNT.length),
          status: c.res.status,
          calls: [...c.var.calls.calls],
        })
      })
    },
  }
  const payouts = createPayoutsModule({
    ledger: createTestLedger({ [jane.id]: [{ cents: OPENING_CENTS, currency: 'USD' }] }),
    lookupAfterMs: 60_000,
    ...service,
  })
  const world = await createVerifiedWorld({ app: { modules: [spy, payouts] } })
  harness = world.harness

  /** Coinflow requests that reached the emulator so far. */
  const coinflowSent = () => harness.vendorRequests.filter((r) => r.vendor === 'coinflow').length
  /** Runs `act` and answers with the requests it made and the Coinflow requests sent meanwhile. */
  async function during(act: () => Promise<unknown>) {
    const firstRequest = requests.length
    const sentBefore = coinflowSent()
    await act()
    return { requests: requests.slice(firstRequest), sent: coinflowSent() - sentBefore }
  }
  return { during, bank: world.bank, payout: world.payout }
}

const operations = (calls: UpstreamCall[]) =>
  calls.map((call) => `${call.operation}${call.coalesced ? ' (joined)' : ''}`)

/** Logical calls, as the request log line counts them: joins left out. */
const counted = (requests: CountedRequest[]) =>
  requests.flatMap((request) => request.calls).filter((call) => !call.coalesced).length

const quoteFor = (destinationId: string, cents = 42_00) =>
  harness.as(jane.id).post('/quotes', { amount: { cents, currency: 'USD' }, destinationId })

describe('upstream calls counted per payout request', () => {
  it('records on a cold POST /quotes exactly the Coinflow calls it made, and none on a cached repeat', async () => {
    // Nothing cached yet: neither Jane's destinations nor any quote.
    const { during, bank } = await countedBff()
    const cold = await during(async () => expect((await quoteFor(bank.id)).status).toBe(200))
    expect(cold.requests).toHaveLength(1)
    expect(operations(cold.requests[0]!.calls)).toEqual([
      'coinflow.getWithdrawer',
      'coinflow.quoteDelegatedPayout',
    ])
    expect(counted(cold.requests)).toBe(cold.sent)

    const cached = await during(async () => expect((await quoteFor(bank.id)).status).toBe(200))
    expect(cached.requests[0]!.calls).toEqual([])
    expect(cached.sent).toBe(0)
  })

  it('records on POST /destinations/iban the account added and the fresh list, and on GET /destinations only a list not cached', async () => {
    const { during } = await countedBff()
    const added = await during(async () => {
      const response = await harness
        .as(jane.id)
        .post('/destinations/iban', { number: 'DE89 3704 0044 0532 0130 00', alias: 'Euro' })
      expect(response.status, await response.clone().text()).toBe(201)
    })
    expect(operations(added.requests[0]!.calls)).toEqual([
      'coinflow.addIban',
      'coinflow.getWithdrawer',
    ])
    expect(counted(added.requests)).toBe(added.sent)

    const listed = await during(async () => harness.as(jane.id).get('/destinations'))
    expect(listed.requests[0]!.calls).toEqual([])
    harness.clock.advance(10_000)
    const relisted = await during(async () => harness.as(jane.id).get('/destinations'))
    expect(operations(relisted.requests[0]!.calls)).toEqual(['coinflow.getWithdrawer'])
    expect(relisted.sent).toBe(1)
  })

  it('reports identical quotes asked for at once as one call and joins on it', async () => {
    const { during, bank } = await countedBff()
    const burst = await during(() =>
      Promise.all(Array.from({ length: 10 }, () => quoteFor(bank.id, 77_00))),
    )
    expect(burst.requests).toHaveLength(10)
    const quoteCalls = burst.requests.map((request) =>
      request.calls.filter((call) => call.operation === 'coinflow.quoteDelegatedPayout'),
    )
    // Each request heard of the quote once: one made it, the others joined it.
    expect(quoteCalls.every((calls) => calls.length === 1)).toBe(true)
    const joins = quoteCalls.flat().filter((call) => call.coalesced)
    expect(joins).toHaveLength(9)
    expect(joins.every((call) => call.attempts === 0)).toBe(true)
    expect(quoteCalls.flat().filter((call) => !call.coalesced)).toHaveLength(1)
    // Whatever else the burst needed (Jane's destinations), it counted what went out.
    expect(counted(burst.requests)).toBe(burst.sent)
  })

  it('records the payout submitted for POST /payouts, and nothing for the webhook that settles it', async () => {
    const { during, bank, payout } = await countedBff()
    expect((await quoteFor(bank.id, 250_00)).status).toBe(200)

    let payoutId = ''
    const submitted = await during(async () => {
      payoutId = (await payout(250_00, 'counted-payout-0001')).id
    })
    // (The page quotes once more as the user presses Withdraw: answered from the cache.)
    const post = submitted.requests.find(
      (request) => request.method === 'POST' && request.path.endsWith('/payouts'),
    )!
    // Destinations and the quote were still fresh from the quote just shown.
    expect(operations(post.calls)).toEqual(['coinflow.payoutDelegated'])
    expect(counted(submitted.requests)).toBe(submitted.sent)

    // Coinflow's Withdraw Success arrives by webhook; the host is told without asking Coinflow.
    const linesBefore = harness.logger.lines.length
    const settled = await during(() => harness.advance(2_000))
    expect(settled.sent).toBe(0)
    const webhooks = harness.logger
      .records()
      .slice(linesBefore)
      .filter((line) => line.msg === 'request' && String(line.path).endsWith('/webhooks/coinflow'))
    expect(webhooks.length).toBeGreaterThan(0)
    expect(webhooks.map((line) => line.upstream)).toEqual(
      webhooks.map(() => ({ persona: 0, coinflow: 0 })),
    )
    const read = Payout.parse(await (await harness.as(jane.id).get(`/payouts/${payoutId}`)).json())
    expect(read.state).toBe('succeeded')
  })

  it('records the lookup a GET /payouts/:id makes for a payout whose webhook never came', async () => {
    // No recovery sweep in the background while the test runs: the GET itself moves the payout.
    const { during, payout } = await countedBff({ sweepEveryMs: 10 * 60_000 })
    // Coinflow's webhooks are lost: the payout stays pending until someone asks Coinflow.
    harness.emulator.world.faults.coinflow.webhookDropRate = 1
    const { id, state } = await payout(30_00, 'counted-payout-0002')
    expect(state).toBe('pending')
    await harness.advance(61_000)

    const read = await during(async () => {
      const payout = Payout.parse(await (await harness.as(jane.id).get(`/payouts/${id}`)).json())
      expect(payout.state).toBe('succeeded')
    })
    const get = read.requests.find((request) => request.path === `/payouts/${id}`)!
    expect(operations(get.calls)).toEqual(['coinflow.getWithdrawal'])
    expect(counted(read.requests)).toBe(read.sent)
  })
})
