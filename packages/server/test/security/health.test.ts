/**
 * The probes a load balancer polls, over real HTTP: `/healthz` says the process answers,
 * `/readyz` that the store does too (a real `redis-server`, stopped under it). Neither is ever
 * refused by the rate limits nor spends a budget, and neither fills the request log.
 */
import { ErrorEnvelope, Health, Readiness } from '@shareflow/contract'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import { createRedisStore } from '../../src/store/redis'
import type { ShareflowStore } from '../../src/store/types'
import { startRedisServer, type RedisServer } from '../redis-server'
import { ADDRESS_HEADER, createTestBff } from './bff'

const PROBER = { [ADDRESS_HEADER]: '10.0.0.9' }

let cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const step of cleanup.reverse()) await step()
  cleanup = []
})

async function serveOn(store?: ShareflowStore) {
  const bff = createTestBff({
    ...(store ? { store } : {}),
    rateLimits: { perAddress: { limit: 3, windowMs: 60_000 } },
  })
  const server: ServingShareflow = await serveShareflow({ app: bff.app })
  cleanup.push(() => server.close())
  const get = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { headers: PROBER })
    return { status: response.status, headers: response.headers, body: await response.json() }
  }
  return { ...bff, get }
}

describe('GET /healthz and GET /readyz', () => {
  it('answer 200 however often they are polled, spend no rate budget and log no request line', async () => {
    const { get, logger } = await serveOn()
    for (let i = 0; i < 10; i++) {
      const health = await get('/healthz')
      expect(health.status).toBe(200)
      expect(Health.parse(health.body)).toEqual({ status: 'ok' })
      const ready = await get('/readyz')
      expect(ready.status).toBe(200)
      expect(Readiness.parse(ready.body)).toEqual({
        status: 'ready',
        checks: { store: 'ok', persona: 'off', coinflow: 'off' },
      })
    }
    expect(logger.records().filter((record) => record.msg === 'request')).toEqual([])
    // The prober's address still has its whole budget for real requests.
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await get('/openapi.json')).status)
    expect(statuses).toEqual([200, 200, 200, 429])
  })

  it('says not ready, with Retry-After, while Redis is down, and ready again once it is back', async () => {
    let redis: RedisServer = await startRedisServer()
    const store = createRedisStore({ url: redis.url })
    cleanup.push(
      () => redis.stop(),
      () => store.close(),
    )
    const { get } = await serveOn(store)
    expect((await get('/readyz')).status).toBe(200)

    await redis.stop()
    const down = await get('/readyz')
    expect(down.status).toBe(503)
    const { error } = ErrorEnvelope.parse(down.body)
    expect(error.code).toBe('upstream_unavailable')
    expect(down.headers.get('Retry-After')).toBe(String(error.retryAfterSeconds))
    // The process itself is fine: no orchestrator should restart it for Redis's outage.
    expect((await get('/healthz')).status).toBe(200)

    redis = await startRedisServer({ port: redis.port })
    await vi.waitFor(async () => expect((await get('/readyz')).status).toBe(200), {
      timeout: 10_000,
      interval: 100,
    })
  })
})
