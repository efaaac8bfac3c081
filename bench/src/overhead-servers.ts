/**
 * The servers the overhead bench loads, in a child process of their own so the load generator
 * never shares their event loop: the emulator's Persona and Coinflow apps, a bare
 * `@hono/node-server` pass-through proxy in front of Coinflow, and the host app with the BFF,
 * which reaches the emulator over HTTP. It seeds 64 verified users with a bank account each, records
 * the vendor requests the BFF makes for one `GET /session` and one `POST /quotes`, and tells the
 * parent what to aim at.
 *
 * @module
 */
import { Hono } from 'hono'
import { proxy } from 'hono/proxy'
import { getSession, quote } from './journeys'
import { BFF_PREFIX, createLab, USER_HEADER, type RecordedRequest } from './lab'
import type { LoadTarget } from './load'
import { listen } from './serve'

export interface OverheadTargets {
  session: { bff: LoadTarget; direct: LoadTarget; proxy: LoadTarget; upstreamPerRequest: number }
  quotes: { bff: LoadTarget; direct: LoadTarget; proxy: LoadTarget; upstreamPerRequest: number }
}

/** Enough users that the load is not one user's records under contention, few enough to seed fast. */
const USERS = Array.from({ length: 64 }, (_, i) => `load-user-${i}`)

async function main() {
  const origins: { persona?: string; coinflow?: string } = {}
  const lab = createLab({
    vendorOrigins: origins,
    reviewMs: 50,
    heartbeatMs: 50,
    // Each user sends far more than a person would: the per-user budget is counted, never reached.
    rateLimits: { perUser: { limit: 1_000_000_000, windowMs: 60_000 } },
  })
  const persona = await listen(lab.emulator.persona.fetch)
  const coinflow = await listen(lab.emulator.coinflow.fetch)
  origins.persona = persona.origin
  origins.coinflow = coinflow.origin

  const passThrough = new Hono()
  passThrough.all('*', (c) => {
    const url = new URL(c.req.url)
    return proxy(`${coinflow.origin}${url.pathname}${url.search}`, c.req)
  })
  const proxyServer = await listen(passThrough.fetch)

  const host = await listen(lab.host.fetch)

  // Verified by Coinflow directly: 64 share journeys would wait minutes for Persona's budget.
  // Each user's first GET /session also mints their Coinflow session key, which the BFF hands
  // out again for 20 minutes: the loaded /session is a returning verified user's.
  const destinations = await Promise.all(
    USERS.map(async (user) => {
      await lab.seedVerifiedWithdrawer(user)
      await lab.seedBankAccount(user)
      const destination = (await getSession(lab, user)).destinations[0]
      if (!destination) throw new Error('the seeded bank account did not reach GET /session')
      return destination.id
    }),
  )

  const [first] = USERS
  lab.resetCounters()
  await getSession(lab, first!)
  const sessionCalls = [...lab.vendorRequests]
  lab.resetCounters()
  await quote(lab, first!, destinations[0]!)
  const quoteCalls = [...lab.vendorRequests]

  // The direct call is the vendor request that carries the route's answer: the withdrawer (its
  // verification and accounts) for /session, Coinflow's delegated quote for /quotes.
  const recorded = (calls: RecordedRequest[], path: string) => {
    const call = calls.find((c) => c.path.startsWith(path))
    if (!call) {
      throw new Error(`the BFF made no ${path} call (made: ${calls.map((c) => c.path).join(', ')})`)
    }
    const headers = { ...call.headers }
    delete headers['content-length']
    return { ...call, headers }
  }
  const withdrawer = recorded(sessionCalls, '/api/withdraw')
  const delegatedQuote = recorded(quoteCalls, '/api/merchant/withdraws/payout/delegated/quote')
  const vendorTarget = (call: RecordedRequest, origin: string): LoadTarget => ({
    url: `${origin}${call.path}`,
    method: call.method as 'GET' | 'POST',
    headers: call.headers,
    ...(call.body ? { body: call.body, uniqueAmounts: true } : {}),
    // The same request for each user in turn: their id, and their account where it names one.
    variants: USERS.map((user, i) => ({
      headers: { ...call.headers, 'x-coinflow-auth-user-id': user },
      ...(call.body
        ? {
            body: JSON.stringify({
              ...JSON.parse(call.body),
              userId: user,
              account: destinations[i],
            }),
          }
        : {}),
    })),
  })
  const bffQuote = (i: number) =>
    JSON.stringify({ amount: { cents: 50_00, currency: 'USD' }, destinationId: destinations[i] })

  const targets: OverheadTargets = {
    session: {
      bff: {
        url: `${host.origin}${BFF_PREFIX}/session`,
        variants: USERS.map((user) => ({ headers: { [USER_HEADER]: user } })),
      },
      direct: vendorTarget(withdrawer, coinflow.origin),
      proxy: vendorTarget(withdrawer, proxyServer.origin),
      upstreamPerRequest: sessionCalls.length,
    },
    quotes: {
      bff: {
        url: `${host.origin}${BFF_PREFIX}/quotes`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: host.origin },
        body: bffQuote(0),
        uniqueAmounts: true,
        variants: USERS.map((user, i) => ({
          headers: { [USER_HEADER]: user, 'Content-Type': 'application/json', Origin: host.origin },
          body: bffQuote(i),
        })),
      },
      direct: vendorTarget(delegatedQuote, coinflow.origin),
      proxy: vendorTarget(delegatedQuote, proxyServer.origin),
      upstreamPerRequest: quoteCalls.length,
    },
  }
  // Nothing reads the request lines from here on; keep memory flat under load.
  setInterval(() => lab.resetCounters(), 1_000).unref()
  process.send!({ type: 'ready', targets })
  process.on('message', async (message: { type?: string }) => {
    if (message.type !== 'stop') return
    await Promise.all([host.close(), proxyServer.close(), persona.close(), coinflow.close()])
    lab.close()
    process.exit(0)
  })
}

main().catch((error: unknown) => {
  process.send!({ type: 'error', message: error instanceof Error ? error.stack : String(error) })
  process.exit(1)
})
