/**
 * Redis goes down under a running BFF (a real `redis-server`, stopped): every request must get a
 * prompt `503 upstream_unavailable` with `Retry-After`, within the one request ceiling, rate
 * limits or not; and the BFF must serve again once Redis is back, without a restart.
 */
import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ShareflowAppOptions } from '../../src/app'
import { silentLogger } from '../../src/logger'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import { createSandboxShareflowApp } from '../../src/sandbox'
import { createRedisStore } from '../../src/store/redis'
import type { ShareflowStore } from '../../src/store/types'
import { startRedisServer, type RedisServer } from '../redis-server'
import { USER_HEADER } from './bff'

const CEILING_MS = 8_000

let cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

async function bffOnRedis(options: Partial<ShareflowAppOptions>) {
  let redis: RedisServer = await startRedisServer()
  const store: ShareflowStore = createRedisStore({ url: redis.url })
  const { app } = createSandboxShareflowApp({
    getUser: (c) => {
      const id = c.req.header(USER_HEADER)
      return id ? { id, email: `${id}@example.com` } : null
    },
    store,
    logger: silentLogger,
    requestTimeoutMs: CEILING_MS,
    ...options,
  })
  const server: ServingShareflow = await serveShareflow({ app })
  cleanup.push(
    () => redis.stop(),
    () => store.close(),
    () => server.close(),
  )
  return {
    session: async () => {
      const started = Date.now()
      const response = await fetch(`${server.url}/session`, { headers: { [USER_HEADER]: 'ada' } })
      const body: unknown = await response.json()
      return { response, body, tookMs: Date.now() - started }
    },
    stopRedis: () => redis.stop(),
    startRedisAgain: async () => {
      redis = await startRedisServer({ port: redis.port })
    },
  }
}

describe.each([
  ['with rate limits', {}],
  ['with rate limits off', { rateLimits: false as const }],
])('with Redis down, %s', (_name, options) => {
  it('answers 503 upstream_unavailable with Retry-After, well inside the ceiling, and serves again once Redis is back', async () => {
    const bff = await bffOnRedis(options)
    expect((await bff.session()).response.status).toBe(200)

    await bff.stopRedis()
    for (let i = 0; i < 3; i++) {
      const { response, body, tookMs } = await bff.session()
      expect(response.status).toBe(503)
      const { error } = ErrorEnvelope.parse(body)
      expect(error.code).toBe('upstream_unavailable')
      expect(error.retryAfterSeconds).toBeGreaterThan(0)
      expect(response.headers.get('Retry-After')).toBe(String(error.retryAfterSeconds))
      // Not the ceiling's answer: the outage was known, so nobody waits for a timer.
      expect(tookMs).toBeLessThan(CEILING_MS / 2)
    }

    await bff.startRedisAgain()
    await vi.waitFor(async () => expect((await bff.session()).response.status).toBe(200), {
      timeout: 10_000,
      interval: 200,
    })
  })
})
