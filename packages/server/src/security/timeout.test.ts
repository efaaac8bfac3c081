import { ErrorEnvelope } from '@shareflow/contract'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createErrorHandler } from '../errors'
import { silentLogger } from '../logger'
import { requestTimeout } from './timeout'

function appWith(timeoutMs: number, work: () => Promise<void>) {
  const app = new Hono()
  app.use(requestTimeout(timeoutMs))
  app.get('/slow', async (c) => {
    await work()
    return c.json({ done: true })
  })
  app.onError(createErrorHandler(silentLogger))
  return app
}

describe('requestTimeout', () => {
  it('answers upstream_unavailable in the envelope when a request runs past the ceiling', async () => {
    let finished = false
    const app = appWith(30, async () => {
      await new Promise((resolve) => setTimeout(resolve, 200))
      finished = true
    })
    const started = Date.now()
    const response = await app.request('/slow')
    expect(Date.now() - started).toBeLessThan(150)
    expect(response.status).toBe(503)
    const body = ErrorEnvelope.parse(await response.json())
    expect(body.error.code).toBe('upstream_unavailable')
    expect(body.error.message).toMatch(/Nothing was lost/)
    // The work is not abandoned: a payout under way finishes under its journal.
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(finished).toBe(true)
  })

  it('leaves a request that finishes in time alone', async () => {
    const app = appWith(500, () => new Promise((resolve) => setTimeout(resolve, 5)))
    const response = await app.request('/slow')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ done: true })
  })

  it('refuses a ceiling that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => requestTimeout(bad)).toThrow(RangeError)
    }
  })
})
