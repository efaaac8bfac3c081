/**
 * The BFF mounted in a real Express and a real Fastify server with one call each, the host's own
 * body parsers in front of it as a host team registers them, over real HTTP: Jane's session, a
 * quote for her bank account, and signed Persona and Coinflow webhooks verified on the bytes as
 * they were sent (pretty-printed, so a re-serialised body would not match), while the host's own
 * routes still get their parsed JSON.
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ErrorEnvelope, Quote, Session } from '@shareflow/contract'
import express from 'express'
import express4 from 'express-4'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shareflowExpress, type HostedBindings, type ShareflowFetchApp } from '../../src/express'
import { shareflowFastify, type FastifyBindings } from '../../src/fastify'
import type { GetUser } from '../../src/user'
import { createShareflowApp } from '../../src/app'
import { silentLogger } from '../../src/logger'
import { signWebhook } from '../../src/webhooks/signature'
import {
  COINFLOW_WEBHOOK_KEY,
  MOUNT,
  PERSONA_WEBHOOK_SECRET,
  type JourneyHarness,
} from '../journeys/harness'
import { createVerifiedWorld, jane } from '../security/world'
import { chunkedBody } from './chunked'

// Taken before any host starts: the process's own, which mounting the BFF must leave in place.
const { Request: hostRequest, Response: hostResponse } = globalThis

interface Host {
  url: string
  close(): Promise<void>
}

/** The host's own sign-in: a session cookie its middleware reads before the BFF answers. */
const SESSION_COOKIE = 'host_session'
const sessionUserOf = (cookie: string | undefined) =>
  new RegExp(`(?:^|; )${SESSION_COOKIE}=([^;]+)`).exec(cookie ?? '')?.[1]

type SignedIn = { sessionUserId?: string }

/**
 * `getUser` as a host writes it: the user its session middleware found, on Express's `req`
 * (`c.env.incoming`) or Fastify's request (`c.env.request`). In-process calls (the harness
 * verifying Jane) have no Node request and sign in by header.
 */
const getUser: GetUser = (c) => {
  const env = c.env as Partial<HostedBindings & FastifyBindings> | undefined
  const id =
    (env?.request as SignedIn | undefined)?.sessionUserId ??
    (env?.incoming as SignedIn | undefined)?.sessionUserId ??
    c.req.header('x-host-session')
  return id === jane.id ? jane : null
}

/**
 * Express with `express.json()` and a catch-all `express.raw()` registered first, and one proxy
 * of its own in front (`trust proxy`).
 */
const expressHost = (framework: typeof express) => async (shareflow: ShareflowFetchApp) => {
  const host = framework()
  host.set('trust proxy', 1)
  host.use(framework.json())
  host.use(framework.raw({ type: '*/*' }))
  host.use((req: SignedIn & { headers: { cookie?: string } }, _res, next) => {
    req.sessionUserId = sessionUserOf(req.headers.cookie)
    next()
  })
  host.post('/api/echo', (req, res) => void res.json({ parsed: req.body as unknown }))
  shareflowExpress(host, { path: MOUNT, shareflow })
  const server = createServer(host).listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => closeServer(server),
  } satisfies Host
}

/**
 * Fastify 5 with its own JSON parser and one proxy in front (on loopback here; Fastify trusts a
 * proxy by its address, not a hop count), the BFF registered as a plugin.
 */
async function fastifyHost(shareflow: ShareflowFetchApp): Promise<Host> {
  const host = Fastify({ trustProxy: '127.0.0.1' })
  host.decorateRequest('sessionUserId', undefined)
  host.addHook('onRequest', async (request: SignedIn & { headers: { cookie?: string } }) => {
    request.sessionUserId = sessionUserOf(request.headers.cookie)
  })
  host.post('/api/echo', async (request) => ({ parsed: request.body }))
  await host.register(shareflowFastify, { prefix: MOUNT, shareflow })
  const url = await host.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => host.close() }
}

function closeServer(server: Server) {
  return new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeAllConnections()
  })
}

/** A Persona event as Persona formats it: indented, so only the exact bytes verify. */
function personaEvent(id: string) {
  return JSON.stringify(
    {
      data: {
        type: 'event',
        id,
        attributes: {
          name: 'inquiry.completed',
          'created-at': '2026-11-22T12:00:05.000Z',
          payload: {
            data: {
              type: 'inquiry',
              id: 'inq_not_known_here',
              attributes: { status: 'completed', 'reference-id': 'user-nobody' },
            },
          },
        },
      },
    },
    null,
    2,
  )
}

const hosts = [
  ['Express 5', expressHost(express)],
  ['Express 4', expressHost(express4)],
  ['Fastify 5', fastifyHost],
] as const

describe.each(hosts)('mounted in %s behind the host’s JSON parser', (name, start) => {
  let harness: JourneyHarness
  let bankId: string
  let host: Host
  beforeAll(async () => {
    // Jane, verified through the real KYC journey, with a US bank account linked.
    const world = await createVerifiedWorld({ app: { getUser } })
    harness = world.harness
    bankId = world.bank.id
    host = await start(harness.app)
  })
  afterAll(async () => {
    await host?.close()
    harness?.close()
  })

  const bff = (path: string, init: RequestInit = {}) =>
    fetch(`${host.url}${MOUNT}${path}`, {
      ...init,
      headers: { 'x-host-session': jane.id, ...init.headers },
    })

  /** Posts `body` to the Persona webhook, signed over `signed` (default: the body itself). */
  const deliverPersona = async (body: string, signed = body) => {
    const signature = await signWebhook({
      payload: signed,
      secret: PERSONA_WEBHOOK_SECRET,
      timestamp: Math.floor(harness.webhookClock.now() / 1000),
    })
    return fetch(`${host.url}${MOUNT}/webhooks/persona`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Persona-Signature': signature },
      body,
    })
  }

  it('answers GET /session for the signed-in user', async () => {
    const response = await bff('/session')
    expect(response.status).toBe(200)
    const session = Session.parse(await response.json())
    expect(session.kyc.state).toBe('approved')
    expect(session.destinations.map((d) => d.id)).toEqual([bankId])
  })

  it('signs the user in through the host’s own session middleware', async () => {
    const signedIn = await fetch(`${host.url}${MOUNT}/session`, {
      headers: { Cookie: `theme=dark; ${SESSION_COOKIE}=${jane.id}` },
    })
    expect(signedIn.status).toBe(200)
    expect(Session.parse(await signedIn.json()).user.id).toBe(jane.id)
    expect((await fetch(`${host.url}${MOUNT}/session`)).status).toBe(401)
  })

  it('prices a payout from the JSON body the browser sent', async () => {
    const response = await bff('/quotes', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ amount: { cents: 100_00, currency: 'USD' }, destinationId: bankId }),
    })
    expect(response.status).toBe(200)
    const quote = Quote.parse(await response.json())
    expect(quote.options.find((o) => o.speed === 'standard')).toMatchObject({
      fee: { cents: 25 },
      receive: { cents: 99_75 },
    })
  })

  it('verifies a signed Persona webhook on its raw bytes, once', async () => {
    const body = personaEvent(`evt_${name.replace(' ', '')}_1`)
    const first = await deliverPersona(body)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ received: true })
    expect(await (await deliverPersona(body)).json()).toEqual({ received: true, duplicate: true })
  })

  it('refuses a Persona webhook whose bytes differ from the signed ones', async () => {
    const signed = personaEvent(`evt_${name.replace(' ', '')}_2`)
    // The same JSON value, compacted: what a re-serialised body would be.
    const response = await deliverPersona(JSON.stringify(JSON.parse(signed)), signed)
    expect(response.status).toBe(403)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('forbidden')
  })

  it('verifies a signed Coinflow webhook on its raw bytes', async () => {
    const body = JSON.stringify(
      { eventType: 'Settlement', category: 'Other', created: null, data: { note: 'ü' } },
      null,
      1,
    )
    const response = await fetch(`${host.url}${MOUNT}/webhooks/coinflow`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Coinflow-Signature': await signWebhook({
          payload: body,
          secret: COINFLOW_WEBHOOK_KEY,
          timestamp: Math.floor(harness.webhookClock.now() / 1000),
        }),
      },
      body,
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ received: true })
  })

  it('refuses a body over the BFF’s ceiling with its own envelope', async () => {
    const response = await bff('/quotes', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(70 * 1024) }),
    })
    expect(response.status).toBe(413)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('payload_too_large')
  })

  it('reads a streamed (chunked) body, and refuses one that grows past the ceiling', async () => {
    const streamed = (text: string) =>
      bff('/quotes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        ...chunkedBody(text),
      })
    const quote = JSON.stringify({
      amount: { cents: 100_00, currency: 'USD' },
      destinationId: bankId,
    })
    expect((await streamed(quote)).status).toBe(200)
    const tooLarge = await streamed(JSON.stringify({ padding: 'x'.repeat(70 * 1024) }))
    expect(tooLarge.status).toBe(413)
    expect(ErrorEnvelope.parse(await tooLarge.json()).error.code).toBe('payload_too_large')
    expect(globalThis.Request).toBe(hostRequest)
    expect(globalThis.Response).toBe(hostResponse)
  })

  it('leaves the host’s own routes their parsed JSON', async () => {
    const response = await fetch(`${host.url}/api/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ hello: 'host' }),
    })
    expect(await response.json()).toEqual({ parsed: { hello: 'host' } })
  })
})

describe.each(hosts)('mounted in %s behind one proxy', (_name, start) => {
  const BUDGET = 2
  let host: Host
  beforeAll(async () => {
    host = await start(
      createShareflowApp({
        getUser: () => null,
        persona: { apiKey: 'k', templateId: 'itmpl_hosts', connectionId: 'cxn_hosts' },
        coinflow: { apiKey: 'k', merchantId: 'merchant' },
        fetch: async () => {
          throw new TypeError('no vendor in this test')
        },
        logger: silentLogger,
        rateLimits: { perAddress: { limit: BUDGET, windowMs: 60_000 }, perUser: false },
      }),
    )
  })
  afterAll(() => host?.close())

  it('counts the per-address budget by the client the host’s proxy setting names', async () => {
    const statuses = async (client: string, count: number) => {
      const seen: number[] = []
      for (let i = 0; i < count; i++) {
        const response = await fetch(`${host.url}${MOUNT}/openapi.json`, {
          headers: { 'X-Forwarded-For': client },
        })
        await response.text()
        seen.push(response.status)
      }
      return seen
    }
    expect(await statuses('203.0.113.7', BUDGET + 1)).toEqual([200, 200, 429])
    expect(await statuses('198.51.100.4', 1)).toEqual([200])
  })
})
