/**
 * `serveShareflow(…).close()` drains, over real HTTP: a deploy restarts instances many times a
 * day, and each restart used to drop every connection, requests in flight included.
 */
import { ErrorEnvelope } from '@shareflow/contract'
import { Hono } from 'hono'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { serveShareflow } from '../../src/node'
import { createTestBff, USER_HEADER } from './bff'

/** The BFF mounted in a host whose `/slow` takes `ms` to answer, as a payout in flight may. */
function hostWithSlowRoute(ms: number) {
  const { app } = createTestBff({ rateLimits: false })
  return new Hono()
    .get('/slow', async (c) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return c.json({ finished: true })
    })
    .route('/api', app)
}

async function readAll(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text
    text += value
  }
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })

describe('serveShareflow close(): drain', () => {
  it('finishes requests in flight, ends event streams with a reconnect hint, then frees the port', async () => {
    const server = await serveShareflow({ app: hostWithSlowRoute(400) })
    const stream = await fetch(`${server.url}/api/events`, { headers: { [USER_HEADER]: 'ann' } })
    expect(stream.status).toBe(200)
    const streamText = readAll(stream)
    const inFlight = fetch(`${server.url}/slow`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }))
    await new Promise((resolve) => setTimeout(resolve, 50))

    const closed = server.close({ drainMs: 5_000 })
    // The stream told its page to come back in a second (to an instance that stays), and ended.
    const text = await streamText
    expect(text).toMatch(/event: kyc\.updated/)
    expect(text).toMatch(/\nretry: 1000\n\n$/)
    // The request that was under way got its answer.
    expect(await inFlight).toEqual({ status: 200, body: { finished: true } })
    await closed
    expect(await portIsFree(server.port)).toBe(true)
  })

  it('cuts off what is still running at the drain deadline', async () => {
    const server = await serveShareflow({ app: hostWithSlowRoute(60_000) })
    const stuck = fetch(`${server.url}/slow`).then(
      (response) => response.status,
      () => 'cut off',
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await server.close({ drainMs: 100 })
    expect(await stuck).toBe('cut off')
    expect(await portIsFree(server.port)).toBe(true)
  })

  it('says not ready, and refuses new streams with Retry-After, once draining', async () => {
    const { app } = createTestBff({ rateLimits: false })
    const draining = new AbortController()
    draining.abort()
    const env = { shutdown: draining.signal }
    const ready = await app.request('/readyz', {}, env)
    expect(ready.status).toBe(503)
    expect(ErrorEnvelope.parse(await ready.json()).error.code).toBe('upstream_unavailable')
    const events = await app.request('/events', { headers: { [USER_HEADER]: 'ann' } }, env)
    expect(events.status).toBe(503)
    expect(events.headers.get('Retry-After')).toBe('1')
    // Until then, ready.
    expect(
      (await app.request('/readyz', {}, { shutdown: new AbortController().signal })).status,
    ).toBe(200)
  })
})
