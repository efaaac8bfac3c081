import { describe, expect, it, vi } from 'vitest'
import { createShareflowClient } from './client'
import { ShareflowError } from './errors'

// Responses the real BFF never sends on purpose (proxy pages, drift, dropped connections): the
// journeys themselves are covered against the in-process BFF in the browser tests.
const at = '2026-11-22T12:00:00.000Z'
const session = {
  user: { id: 'u1' },
  kyc: { state: 'approved', nextAction: 'none', updatedAt: at },
  destinations: [],
  coinflow: null,
}

function clientAnswering(response: () => Response | Promise<Response>) {
  const requests: { url: string; init: RequestInit }[] = []
  const client = createShareflowClient({
    baseUrl: 'https://host.example/api/shareflow/',
    live: { reconnectBaseMs: 20 },
    fetch: async (url, init) => {
      requests.push({ url, init })
      return response()
    },
  })
  return { client, requests }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

describe('createShareflowClient', () => {
  it('returns a response that matches the contract', async () => {
    const { client, requests } = clientAnswering(() => json(session))
    await expect(client.getSession()).resolves.toEqual(session)
    expect(requests[0]?.url).toBe('https://host.example/api/shareflow/session')
    expect(requests[0]?.init.credentials).toBe('same-origin')
  })

  it('sends an Idempotency-Key on writes, the given one when retrying an intent', async () => {
    const { client, requests } = clientAnswering(() =>
      json({ error: { code: 'internal', message: 'x', requestId: 'r' } }, 500),
    )
    const input = {
      amount: { cents: 100, currency: 'USD' as const },
      speed: 'standard' as const,
      destinationId: 'd',
      fee: { cents: 25, currency: 'USD' as const },
    }
    await client.createPayout(input, { idempotencyKey: 'intent-1234' }).catch(() => {})
    await client.share().catch(() => {})
    const headers = requests.map(
      (r) => (r.init.headers as Record<string, string>)['Idempotency-Key'],
    )
    expect(headers[0]).toBe('intent-1234')
    expect(headers[1]).toMatch(/^[0-9a-f]{32}$/)
    expect(JSON.parse(requests[0]?.init.body as string)).toEqual(input)
  })

  it('turns the error envelope into a ShareflowError with code, status and request id', async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            code: 'verification_required',
            message: 'More needed',
            requestId: 'req_9',
            verificationLink: 'https://c.example/v',
          },
        },
        451,
      ),
    )
    const error = await client.share().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ShareflowError)
    expect(error).toMatchObject({
      code: 'verification_required',
      status: 451,
      requestId: 'req_9',
      verificationLink: 'https://c.example/v',
    })
  })

  it('maps a proxy error page to a code by its status, keeping the request id header', async () => {
    const { client } = clientAnswering(
      () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          headers: { 'X-Request-Id': 'edge-1' },
        }),
    )
    await expect(client.getSession()).rejects.toMatchObject({
      code: 'upstream_unavailable',
      status: 502,
      requestId: 'edge-1',
    })
  })

  it('rejects a success response that does not match the contract, naming the field', async () => {
    const { client } = clientAnswering(() =>
      json({ ...session, kyc: { ...session.kyc, state: 'maybe' } }),
    )
    const error = await client.getSession().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'internal', status: 200 })
    expect((error as Error).message).toContain('$.kyc.state')
  })

  it('reports an unreachable server as upstream_unavailable with status 0', async () => {
    const { client } = clientAnswering(() => Promise.reject(new TypeError('Failed to fetch')))
    await expect(client.getSession()).rejects.toMatchObject({
      code: 'upstream_unavailable',
      status: 0,
    })
  })

  it('lets an abort surface as an abort, not as a ShareflowError', async () => {
    const controller = new AbortController()
    const { client } = clientAnswering(() => {
      controller.abort()
      return Promise.reject(new DOMException('aborted', 'AbortError'))
    })
    const error = await client.getSession({ signal: controller.signal }).catch((e: unknown) => e)
    expect(error).not.toBeInstanceOf(ShareflowError)
    expect((error as Error).name).toBe('AbortError')
  })

  it('opens the event stream with Last-Event-ID only once an id is known', async () => {
    const { client, requests } = clientAnswering(
      () =>
        new Response('id: 5\ndata: {"type":"destinations.updated"}\n\n', {
          headers: { 'content-type': 'text/event-stream' },
        }),
    )
    const types: string[] = []
    const unsubscribe = client.subscribe({ onEvent: (e) => types.push(e.type) })
    // The stream ends after each message, so the client reconnects, naming the last id it saw.
    await vi.waitFor(() => expect(requests.length).toBeGreaterThanOrEqual(2))
    unsubscribe()
    expect(types[0]).toBe('destinations.updated')
    expect(requests[0]?.url).toBe('https://host.example/api/shareflow/events')
    const headers = requests.map((r) => (r.init.headers as Record<string, string>)['Last-Event-ID'])
    expect(headers[0]).toBeUndefined()
    expect(headers[1]).toBe('5')
  })

  it('says when to come back from the envelope’s retryAfterSeconds (the BFF’s Retry-After)', async () => {
    const { client } = clientAnswering(() =>
      json(
        {
          error: {
            code: 'upstream_unavailable',
            message: 'Your place is kept.',
            requestId: 'r',
            retryAfterSeconds: 42,
          },
        },
        503,
        { 'Retry-After': '42' },
      ),
    )
    await expect(client.startInquiry()).rejects.toMatchObject({
      code: 'upstream_unavailable',
      retryAfterSeconds: 42,
      retryable: true,
    })
  })
})
