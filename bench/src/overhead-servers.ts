/**
 * The servers the overhead bench loads, in a child process of their own so the load generator
 * never shares their event loop: the emulator's Persona and Coinflow apps, a bare
 * `@hono/node-server` pass-through proxy in front of Coinflow, and the host app with the BFF,
 * which reaches the emulator over HTTP. It seeds one verified user with a bank account, records
 * the vendor requests the BFF makes for one `GET /session` and one `POST /quotes`, and tells the
 * parent what to aim at.
 *
 * @module
 */
import { Hono } from 'hono'
import { proxy } from 'hono/proxy'
import { getSession, quote, shareJourney } from './journeys'
import { BFF_PREFIX, createLab, USER_HEADER, type RecordedRequest } from './lab'
import type { LoadTarget } from './load'
import { listen } from './serve'

export interface OverheadTargets {
  session: { bff: LoadTarget; direct: LoadTarget; proxy: LoadTarget; upstreamPerRequest: number }
  quotes: { bff: LoadTarget; direct: LoadTarget; proxy: LoadTarget; upstreamPerRequest: number }
}

const USER = 'load-user'

async function main() {
  const origins: { persona?: string; coinflow?: string } = {}
  const lab = createLab({ vendorOrigins: origins, reviewMs: 50, heartbeatMs: 50 })
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

  await lab.seedCompletedInquiry(USER)
  await shareJourney(lab, USER)
  await lab.seedBankAccount(USER)
  const destination = (await getSession(lab, USER)).destinations[0]
  if (!destination) throw new Error('the seeded bank account did not reach GET /session')

  lab.resetCounters()
  await getSession(lab, USER)
  const sessionCalls = [...lab.vendorRequests]
  lab.resetCounters()
  await quote(lab, USER, destination.id)
  const quoteCalls = [...lab.vendorRequests]

  // The direct call is the vendor request that carries the route's answer: the withdrawer (its
  // verification and accounts) for /session, Coinflow's delegated quote for /quotes.
  const pick = (calls: RecordedRequest[], path: string) => {
    const call = calls.find((c) => c.path.startsWith(path))
    if (!call)
      throw new Error(`the BFF made no ${path} call (made: ${calls.map((c) => c.path).join(', ')})`)
    const headers = { ...call.headers }
    delete headers['content-length']
    return (origin: string): LoadTarget => ({
      url: `${origin}${call.path}`,
      method: call.method as 'GET' | 'POST',
      headers,
      ...(call.body ? { body: call.body, uniqueAmounts: true } : {}),
    })
  }
  const withdrawer = pick(sessionCalls, '/api/withdraw')
  const delegatedQuote = pick(quoteCalls, '/api/merchant/withdraws/payout/delegated/quote')

  const targets: OverheadTargets = {
    session: {
      bff: { url: `${host.origin}${BFF_PREFIX}/session`, headers: { [USER_HEADER]: USER } },
      direct: withdrawer(coinflow.origin),
      proxy: withdrawer(proxyServer.origin),
      upstreamPerRequest: sessionCalls.length,
    },
    quotes: {
      bff: {
        url: `${host.origin}${BFF_PREFIX}/quotes`,
        method: 'POST',
        headers: {
          [USER_HEADER]: USER,
          'Content-Type': 'application/json',
          Origin: host.origin,
        },
        body: JSON.stringify({
          amount: { cents: 50_00, currency: 'USD' },
          destinationId: destination.id,
        }),
        uniqueAmounts: true,
      },
      direct: delegatedQuote(coinflow.origin),
      proxy: delegatedQuote(proxyServer.origin),
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
