/**
 * Three BFF instances on one real redis-server, behind real nginx ending TLS with the deployment
 * example's own configuration (examples/deploy/nginx/shareflow.conf): users are spread over the
 * instances and each request finds what another instance wrote; same-origin writes pass the
 * proxy; an instance drained mid-traffic costs no request; while Redis restarts every request
 * answers a prompt 503 with Retry-After, and the instances serve again once it is back; an event
 * stream on a draining instance ends with a reconnect hint and reconnects to one that stays.
 */
import { Session } from '@shareflow/contract'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createShareflowApp } from '../../src/app'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import { createSandboxShareflowApp } from '../../src/sandbox'
import { createRedisStore } from '../../src/store/redis'
import type { ShareflowStore } from '../../src/store/types'
import { silentLogger } from '../../src/logger'
import { startRedisServer, type RedisServer } from '../redis-server'
import { httpsFetch, startTlsProxy, type TlsProxy } from '../tls-proxy'

const USER_HEADER = 'x-example-user'
const getUser = (c: { req: { header(name: string): string | undefined } }) => {
  const id = c.req.header(USER_HEADER)
  return id ? { id, email: `${id}@example.com`, country: 'US' } : null
}

let redis: RedisServer
let proxy: TlsProxy
const stores: ShareflowStore[] = []
const servers: ServingShareflow[] = []
/** Requests each instance answered. */
const served = [0, 0, 0]
let sandboxStore: ShareflowStore
/** Instances a test stopped. */
const closed = new Set<number>()

beforeAll(async () => {
  redis = await startRedisServer()
  const keyPrefix = `cluster-${crypto.randomUUID()}:`
  // One emulator of both vendors; the three instances call it as they would the vendors.
  sandboxStore = createRedisStore({ url: redis.url, keyPrefix })
  const sandbox = createSandboxShareflowApp({ getUser, store: sandboxStore, logger: silentLogger })
  for (const index of [0, 1, 2]) {
    const store = createRedisStore({ url: redis.url, keyPrefix })
    stores.push(store)
    const app = createShareflowApp({
      getUser,
      ...sandbox.vendors,
      store,
      logger: silentLogger,
      rateLimits: false,
    })
    const host = new Hono()
    host.use(async (_c, next) => {
      served[index]!++
      await next()
    })
    host.route('/api', app)
    servers.push(await serveShareflow({ app: host, trustProxy: 1 }))
  }
  proxy = await startTlsProxy({ upstreams: servers.map((server) => server.url) })
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await Promise.all(
    servers
      .filter((_, index) => !closed.has(index))
      .map((server) => server.close({ drainMs: 100 })),
  )
  await Promise.all([...stores, sandboxStore].map((store) => store?.close()))
  await redis?.stop()
})

const session = async (userId: string) => {
  const answer = await httpsFetch(proxy, '/api/session', { headers: { [USER_HEADER]: userId } })
  expect(answer.status, answer.body).toBe(200)
  return Session.parse(JSON.parse(answer.body))
}

describe('three instances behind the deployment’s nginx', () => {
  it('spreads requests over every instance, each finding the records another wrote', async () => {
    const before = [...served]
    const first = await session('ada')
    for (let n = 0; n < 8; n++) {
      const again = await session('ada')
      expect(again.user.id).toBe('ada')
      expect(again.kyc.state).toBe(first.kyc.state)
    }
    expect(served.map((count, index) => count - before[index]!).every((count) => count > 0)).toBe(
      true,
    )
  })

  it('takes a same-origin write through the TLS-ending proxy', async () => {
    const answer = await httpsFetch(proxy, '/api/kyc/share', {
      method: 'POST',
      headers: { Origin: proxy.origin, 'Sec-Fetch-Site': 'same-origin', [USER_HEADER]: 'ben' },
    })
    // The KYC service answered (the user has not verified yet), not the cross-site check.
    expect(answer.status, answer.body).toBeLessThan(500)
    expect(JSON.parse(answer.body).error?.code).not.toBe('forbidden')
  })

  it('loses no request while one instance drains and stops', async () => {
    const drained = servers[0]!
    closed.add(0)
    const closing = drained.close({ drainMs: 2_000 })
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        httpsFetch(proxy, '/api/session', { headers: { [USER_HEADER]: `drain-${n % 3}` } }),
      ),
    )
    await closing
    const after = served[0]
    for (let n = 0; n < 9; n++) await session(`after-${n % 3}`)
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200))
    // Once stopped, nginx sends it nothing more.
    expect(served[0]).toBe(after)
  })

  it('answers 503 with Retry-After at once while Redis restarts, then serves again', async () => {
    const port = redis.port
    await redis.stop()
    const during = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => {
        const started = performance.now()
        const answer = await httpsFetch(proxy, '/api/session', {
          headers: { [USER_HEADER]: `outage-${n}` },
        })
        return { answer, ms: performance.now() - started }
      }),
    )
    for (const { answer, ms } of during) {
      expect(answer.status, answer.body).toBe(503)
      expect(JSON.parse(answer.body).error.code).toBe('upstream_unavailable')
      expect(answer.headers['retry-after']).toBeDefined()
      // Far inside the 25 s request ceiling: nobody waits for Redis to come back.
      expect(ms).toBeLessThan(5_000)
    }
    redis = await startRedisServer({ port })
    await expect
      .poll(
        async () =>
          (await httpsFetch(proxy, '/api/session', { headers: { [USER_HEADER]: 'back' } })).status,
        { timeout: 15_000, interval: 200 },
      )
      .toBe(200)
  })

  it('ends a stream on a draining instance with a reconnect hint, and it reconnects elsewhere', async () => {
    const before = [...served]
    const stream = httpsFetch(proxy, '/api/events', { headers: { [USER_HEADER]: 'sse-user' } })
    await expect.poll(() => served.findIndex((count, index) => count > before[index]!)).not.toBe(-1)
    const holder = served.findIndex((count, index) => count > before[index]!)
    closed.add(holder)
    await servers[holder]!.close({ drainMs: 2_000 })
    const ended = await stream
    expect(ended.status).toBe(200)
    expect(ended.body).toMatch(/^retry: \d+$/m)

    const again = [...served]
    const reconnected = httpsFetch(proxy, '/api/events', { headers: { [USER_HEADER]: 'sse-user' } })
    await expect.poll(() => served.findIndex((count, index) => count > again[index]!)).not.toBe(-1)
    const newHolder = served.findIndex((count, index) => count > again[index]!)
    expect(newHolder).not.toBe(holder)
    expect(closed.has(newHolder)).toBe(false)
    // Drain that one too, so the stream ends and the test does not wait on it.
    closed.add(newHolder)
    await servers[newHolder]!.close({ drainMs: 2_000 })
    expect((await reconnected).status).toBe(200)
  })
})
