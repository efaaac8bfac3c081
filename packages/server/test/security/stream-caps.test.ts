/**
 * Open `/events` streams are capped per user and per instance, over real HTTP: an open stream
 * holds a socket and memory for as long as it lasts, and only its first request ever met the
 * rate limits (a review held 1,200 streams for one user within two minutes).
 */
import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import { createTestBff, USER_HEADER } from './bff'

let server: ServingShareflow | undefined
// Each open stream's response is held here with its controller: undici cancels the body of a
// response that is garbage collected unread, which would close the stream behind the test's back.
const streams: { controller: AbortController; response: Response }[] = []
afterEach(async () => {
  for (const { controller } of streams.splice(0)) controller.abort()
  await server?.close()
  server = undefined
})

async function serveWithCaps(maxStreamsPerUser: number, maxStreams: number) {
  const { app } = createTestBff({ rateLimits: false, events: { maxStreamsPerUser, maxStreams } })
  server = await serveShareflow({ app })
  return server
}

/** Opens a stream for `userId`; an open one stays open until its controller aborts. */
async function openStream(userId: string) {
  const controller = new AbortController()
  const response = await fetch(`${server!.url}/events`, {
    headers: { [USER_HEADER]: userId },
    signal: controller.signal,
  })
  if (response.ok) streams.push({ controller, response })
  const refusal = response.ok ? null : ErrorEnvelope.parse(await response.json()).error
  return {
    status: response.status,
    retryAfter: response.headers.get('Retry-After'),
    refusal,
    controller,
  }
}

describe('GET /events caps', () => {
  it("refuses a user's stream past their cap with 429 and Retry-After, and takes it again once one closes", async () => {
    await serveWithCaps(3, 100)
    for (let i = 0; i < 3; i++) expect((await openStream('ann')).status).toBe(200)

    const refused = await openStream('ann')
    expect(refused.status).toBe(429)
    expect(refused.refusal?.code).toBe('rate_limited')
    expect(refused.refusal?.message).toMatch(/Too many live connections/)
    expect(refused.retryAfter).toBe(String(refused.refusal?.retryAfterSeconds))
    expect(Number(refused.retryAfter)).toBeGreaterThan(0)
    // Another user is not held back by ann's streams.
    expect((await openStream('bob')).status).toBe(200)

    // A tab closes: its stream ends on the server and frees the slot.
    streams.shift()!.controller.abort()
    // How soon the server hears of it depends on the machine's load, not on the BFF.
    await vi.waitFor(async () => expect((await openStream('ann')).status).toBe(200), {
      timeout: 10_000,
      interval: 50,
    })
    expect((await openStream('ann')).status).toBe(429)
  })

  it("refuses any stream past the instance's cap with 503 upstream_unavailable and Retry-After", async () => {
    await serveWithCaps(3, 4)
    for (const user of ['ann', 'ann', 'bob', 'cy'])
      expect((await openStream(user)).status).toBe(200)

    const refused = await openStream('dee')
    expect(refused.status).toBe(503)
    expect(refused.refusal?.code).toBe('upstream_unavailable')
    expect(Number(refused.retryAfter)).toBeGreaterThan(0)
    expect(refused.retryAfter).toBe(String(refused.refusal?.retryAfterSeconds))
  })

  it('refuses caps that are not positive whole numbers at start-up', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createTestBff({ events: { maxStreamsPerUser: bad } }), String(bad)).toThrow(
        /maxStreamsPerUser/,
      )
      expect(() => createTestBff({ events: { maxStreams: bad } }), String(bad)).toThrow(
        /maxStreams/,
      )
    }
  })
})
