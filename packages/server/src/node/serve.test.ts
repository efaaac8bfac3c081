import { networkInterfaces } from 'node:os'
import { ErrorEnvelope } from '@shareflow/contract'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { createShareflowApp } from '../app'
import { createManualClock } from '../emulator'
import { silentLogger } from '../logger'
import { createMemoryStore } from '../store/memory'
import { chunkedBody } from '../../test/hosts/chunked'
import { serveShareflow, type ServingShareflow } from '.'

const BUDGET = 3

// Taken before any test serves: what a host (Next.js, say) had on the global object.
const { Request: hostRequest, Response: hostResponse } = globalThis

/** A host app with the BFF mounted, three requests per address a minute, nobody signed in. */
function hostWithBff() {
  const clock = createManualClock()
  const shareflow = createShareflowApp({
    getUser: () => null,
    persona: { apiKey: 'k', templateId: 'itmpl_serve', connectionId: 'cxn_serve' },
    coinflow: { apiKey: 'k', merchantId: 'merchant' },
    fetch: async () => {
      throw new TypeError('no vendor in this test')
    },
    store: createMemoryStore({ clock }),
    clock,
    logger: silentLogger,
    rateLimits: { perAddress: { limit: BUDGET, windowMs: 60_000 }, perUser: false },
  })
  return new Hono().route('/api/shareflow', shareflow)
}

// Requests from this machine to its own non-loopback address arrive from that address: a real
// client address without a second machine. Loopback never counts as one client.
const machineAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address

// Some containers run without IPv6 at all.
const ipv6Loopback = Object.values(networkInterfaces())
  .flat()
  .some((entry) => entry?.address === '::1')

const servers: ServingShareflow[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function serve(options: { hostname?: string; trustProxy?: number }) {
  const server = await serveShareflow({ app: hostWithBff(), ...options })
  servers.push(server)
  return server
}

/** Statuses of `count` requests made one after another. */
async function hammer(server: ServingShareflow, count: number, forwardedFor?: () => string) {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${server.url}/api/shareflow/openapi.json`, {
      headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor() } : {},
    })
    await response.body?.cancel()
    statuses.push(response.status)
  }
  return statuses
}

async function refusal(server: ServingShareflow, forwardedFor?: string) {
  const response = await fetch(`${server.url}/api/shareflow/openapi.json`, {
    headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
  })
  return {
    status: response.status,
    retryAfter: response.headers.get('Retry-After'),
    body: response.status === 429 ? ErrorEnvelope.parse(await response.json()) : null,
  }
}

describe('serveShareflow: per-address rate limits', () => {
  it('counts a client behind one trusted proxy by the address the proxy appended', async () => {
    const server = await serve({ trustProxy: 1 })
    expect(await hammer(server, BUDGET, () => '203.0.113.7')).toEqual([200, 200, 200])

    const refused = await refusal(server, '203.0.113.7')
    expect(refused.status).toBe(429)
    expect(refused.body?.error.code).toBe('rate_limited')
    expect(refused.body?.error.retryAfterSeconds).toBeGreaterThan(0)
    expect(refused.retryAfter).toBe(String(refused.body?.error.retryAfterSeconds))
    // Whatever the client wrote further left is not the proxy's word, and changes nothing.
    expect((await refusal(server, 'evades-limit, 203.0.113.7')).status).toBe(429)

    // Another client behind the same proxy has a budget of its own.
    expect(await hammer(server, BUDGET, () => '198.51.100.9')).toEqual([200, 200, 200])
  })

  it('counts nothing on a spoofed X-Forwarded-For when no proxy is trusted', async () => {
    // From loopback (a local tool, not one client) with the header alone: never limited.
    const server = await serve({})
    expect(await hammer(server, BUDGET + 2, () => '203.0.113.7')).toEqual(
      Array(BUDGET + 2).fill(200),
    )
  })

  it.runIf(ipv6Loopback)('gives a URL that works when it listens on an IPv6 address', async () => {
    const server = await serve({ hostname: '::1' })
    expect(server.url).toBe(`http://[::1]:${server.port}`)
    expect(await hammer(server, 1)).toEqual([200])
  })

  it('refuses a trustProxy that is not a count of proxies', async () => {
    await expect(serveShareflow({ app: hostWithBff(), trustProxy: -1 })).rejects.toThrow(RangeError)
    await expect(serveShareflow({ app: hostWithBff(), trustProxy: 1.5 })).rejects.toThrow(
      /trustProxy/,
    )
  })

  describe.runIf(machineAddress !== undefined)(`from this machine's ${machineAddress}`, () => {
    it('answers the 429 envelope once the socket address spends its budget, while another address behind the trusted proxy gets through', async () => {
      const server = await serve({ hostname: machineAddress!, trustProxy: 1 })
      // No X-Forwarded-For: the request came straight in, and its peer is the client.
      expect(await hammer(server, BUDGET)).toEqual([200, 200, 200])
      const refused = await refusal(server)
      expect(refused.status).toBe(429)
      expect(refused.body?.error.code).toBe('rate_limited')

      expect((await refusal(server, '198.51.100.9')).status).toBe(200)
    })

    it('ignores a spoofed X-Forwarded-For without trustProxy: every request counts on the socket address', async () => {
      const server = await serve({ hostname: machineAddress! })
      let n = 0
      const rotating = () => `198.51.100.${++n}`
      expect(await hammer(server, BUDGET, rotating)).toEqual([200, 200, 200])
      const refused = await refusal(server, rotating())
      expect(refused.status).toBe(429)
      expect(refused.body?.error.code).toBe('rate_limited')
    })
  })
})

describe("serveShareflow: the host process's own globals", () => {
  const chunked = (server: ServingShareflow, text: string) =>
    fetch(`${server.url}/api/shareflow/kyc/share`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      ...chunkedBody(text),
    })

  it('leaves the global Request and Response as the host had them (Next.js checks its responses against its own), and still reads a chunked body', async () => {
    const server = await serve({})
    expect(globalThis.Request).toBe(hostRequest)
    expect(globalThis.Response).toBe(hostResponse)

    // Read whole and handed on: nobody is signed in here, so the BFF's answer is a 401, not a 500.
    const small = await chunked(server, JSON.stringify({}))
    expect(small.status).toBe(401)
    expect(ErrorEnvelope.parse(await small.json()).error.code).toBe('unauthenticated')
    const tooLarge = await chunked(server, JSON.stringify({ padding: 'x'.repeat(70 * 1024) }))
    expect(tooLarge.status).toBe(413)
    expect(ErrorEnvelope.parse(await tooLarge.json()).error.code).toBe('payload_too_large')
    expect(globalThis.Request).toBe(hostRequest)
  })
})
