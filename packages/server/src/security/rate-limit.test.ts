import { ErrorEnvelope } from '@shareflow/contract'
import type { Context } from 'hono'
import { describe, expect, it } from 'vitest'
import { ADDRESS_HEADER, createTestBff, USER_HEADER } from '../../test/security/bff'
import { createShareflowApp } from '../app'
import { silentLogger } from '../logger'
import { createMemoryStore } from '../store/memory'
import type { ShareflowStore } from '../store/types'
import { forwardedClientAddress, nodePeerAddress, normalizeAddress } from './rate-limit'

const asUser = (id: string, extra: Record<string, string> = {}) => ({
  headers: { [USER_HEADER]: id, ...extra },
})

async function statuses(responses: Array<Response | Promise<Response>>) {
  return (await Promise.all(responses)).map((response) => response.status)
}

describe('rateLimits', () => {
  it('answers a user over their budget with rate_limited, retryAfterSeconds and Retry-After', async () => {
    const bff = createTestBff({ rateLimits: { perUser: { limit: 3, windowMs: 60_000 } } })
    bff.clock.set(Date.UTC(2026, 10, 22, 12, 0, 15))
    const answers = await statuses(
      Array.from({ length: 3 }, () => bff.app.request('/openapi.json', asUser('u1'))),
    )
    expect(answers).toEqual([200, 200, 200])
    const vendorCallsBefore = bff.vendorCalls()

    const refused = await bff.app.request('/session', asUser('u1'))
    expect(refused.status).toBe(429)
    const body = ErrorEnvelope.parse(await refused.json())
    expect(body.error.code).toBe('rate_limited')
    // The window turns at 12:01:00, 45 s from now.
    expect(body.error.retryAfterSeconds).toBe(45)
    expect(refused.headers.get('Retry-After')).toBe('45')
    expect(refused.headers.get('RateLimit-Remaining')).toBe('0')
    // Refused before the route ran: no vendor was asked.
    expect(bff.vendorCalls()).toBe(vendorCallsBefore)

    // Someone else is not held back by u1.
    expect((await bff.app.request('/openapi.json', asUser('u2'))).status).toBe(200)
    bff.clock.advance(45_000)
    expect((await bff.app.request('/openapi.json', asUser('u1'))).status).toBe(200)
  })

  it('counts every request from one address, signed out and webhooks included', async () => {
    const bff = createTestBff({ rateLimits: { perAddress: { limit: 2, windowMs: 60_000 } } })
    const from = (address: string) => ({ [ADDRESS_HEADER]: address })
    expect(
      await statuses([
        bff.app.request('/session', { headers: from('203.0.113.7') }),
        bff.app.request('/webhooks/persona', {
          method: 'POST',
          headers: from('203.0.113.7'),
          body: '{}',
        }),
      ]),
    ).toEqual([401, 403])
    const refused = await bff.app.request('/webhooks/coinflow', {
      method: 'POST',
      headers: from('203.0.113.7'),
      body: '{}',
    })
    expect(refused.status).toBe(429)
    expect(ErrorEnvelope.parse(await refused.json()).error.retryAfterSeconds).toBeGreaterThan(0)
    expect((await bff.app.request('/session', { headers: from('198.51.100.1') })).status).toBe(401)
  })

  it('puts a whole IPv6 /64 in one bucket, so rotating addresses in it does not help', async () => {
    const bff = createTestBff({ rateLimits: { perAddress: { limit: 2, windowMs: 60_000 } } })
    const answers = await statuses(
      ['2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:0db8:0001:0002:abcd::42'].map((address) =>
        bff.app.request('/openapi.json', { headers: { [ADDRESS_HEADER]: address } }),
      ),
    )
    expect(answers).toEqual([200, 200, 429])
  })

  it('shares budgets between instances on one store', async () => {
    const store = createMemoryStore()
    const limits = { perUser: { limit: 4, windowMs: 60_000 } }
    const one = createTestBff({ store, rateLimits: limits })
    const two = createTestBff({ store, rateLimits: limits })
    const answers: number[] = []
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? one.app : two.app
      answers.push((await app.request('/openapi.json', asUser('u1'))).status)
    }
    expect(answers).toEqual([200, 200, 200, 200, 429, 429])
  })

  it('lets requests through, and says so in the log, when the store cannot count', async () => {
    const working = createMemoryStore()
    const failing: ShareflowStore = {
      ...working,
      increment: async () => {
        throw new Error('store unreachable')
      },
    }
    const bff = createTestBff({ store: failing })
    const response = await bff.app.request('/openapi.json', asUser('u1'))
    expect(response.status).toBe(200)
    expect(bff.logger.records().some((line) => line.msg === 'rate limit not checked')).toBe(true)
  })

  it('can be turned off', async () => {
    const bff = createTestBff({ rateLimits: false })
    const answers = await statuses(
      Array.from({ length: 700 }, () => bff.app.request('/openapi.json', asUser('u1'))),
    )
    expect(answers.every((status) => status === 200)).toBe(true)
  })

  it('applies a default per-user budget with no options at all', async () => {
    const app = createShareflowApp({
      getUser: () => ({ id: 'busy', email: 'busy@example.com' }),
      persona: { apiKey: 'k', templateId: 't', connectionId: 'c' },
      coinflow: { apiKey: 'k', merchantId: 'm' },
      fetch: async () => new Response(null, { status: 503 }),
      logger: silentLogger,
    })
    const answers = await statuses(Array.from({ length: 601 }, () => app.request('/openapi.json')))
    expect(answers.filter((status) => status === 429)).toHaveLength(1)
  })
})

describe('normalizeAddress', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6 and reduces IPv6 to its /64', () => {
    expect(normalizeAddress('203.0.113.7')).toBe('203.0.113.7')
    expect(normalizeAddress('::ffff:203.0.113.7')).toBe('203.0.113.7')
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(normalizeAddress('[2001:DB8:0:0:1::1]')).toBe('2001:db8:0:0::/64')
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })

  it('drops the port a proxy may write beside the address', () => {
    expect(normalizeAddress('203.0.113.7:51234')).toBe('203.0.113.7')
    expect(normalizeAddress('[2001:db8::1]:443')).toBe('2001:db8:0:0::/64')
  })
})

describe('nodePeerAddress', () => {
  const contextWith = (remoteAddress: unknown) =>
    ({ env: { incoming: { socket: { remoteAddress } } } }) as unknown as Context

  it('reads the direct peer of a Node connection, but never a loopback one', () => {
    expect(nodePeerAddress(contextWith('198.51.100.4'))).toBe('198.51.100.4')
    expect(nodePeerAddress(contextWith('::ffff:198.51.100.4'))).toBe('198.51.100.4')
    expect(nodePeerAddress(contextWith('127.0.0.1'))).toBeNull()
    expect(nodePeerAddress(contextWith('::1'))).toBeNull()
    expect(nodePeerAddress(contextWith(undefined))).toBeNull()
    expect(nodePeerAddress({ env: undefined } as unknown as Context)).toBeNull()
  })

  it("prefers the address serveShareflow worked out over the socket's peer", () => {
    const served = (clientAddress: string | null) =>
      ({
        env: { incoming: { socket: { remoteAddress: '10.0.0.5' } }, clientAddress },
      }) as unknown as Context
    expect(nodePeerAddress(served('203.0.113.7'))).toBe('203.0.113.7')
    expect(nodePeerAddress(served('127.0.0.1'))).toBeNull()
    // serveShareflow could not tell: not the proxy's address either.
    expect(nodePeerAddress(served(null))).toBeNull()
  })
})

describe('forwardedClientAddress', () => {
  it('reads nothing from X-Forwarded-For when no proxy is trusted', () => {
    expect(forwardedClientAddress('198.51.100.4', '203.0.113.7', 0)).toBe('198.51.100.4')
  })

  it('takes the entry as many hops from the right as there are trusted proxies', () => {
    const header = 'made-up, 203.0.113.7, 10.0.0.9'
    expect(forwardedClientAddress('10.0.0.5', header, 1)).toBe('10.0.0.9')
    expect(forwardedClientAddress('10.0.0.5', header, 2)).toBe('203.0.113.7')
  })

  it('falls back to the leftmost entry, or the peer, when the request skipped a proxy', () => {
    expect(forwardedClientAddress('10.0.0.5', ' 203.0.113.7 ,', 3)).toBe('203.0.113.7')
    expect(forwardedClientAddress('198.51.100.4', null, 1)).toBe('198.51.100.4')
    expect(forwardedClientAddress('198.51.100.4', '', 1)).toBe('198.51.100.4')
  })
})
