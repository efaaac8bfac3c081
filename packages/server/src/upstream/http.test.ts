import { describe, expect, it } from 'vitest'
import { createCallCounter, createUpstreamTransport, UpstreamError } from './http'

interface Seen {
  url: string
  method: string
  headers: Headers
  body: string | null
}

/** A vendor that answers from a script, one entry per request, and records what it saw. */
function scriptedVendor(
  script: Array<(request: Seen) => Response | Promise<Response> | 'hang' | 'throw'>,
) {
  const seen: Seen[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request: Seen = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
    }
    seen.push(request)
    const step = script[Math.min(seen.length - 1, script.length - 1)]!
    const outcome = await step(request)
    if (outcome === 'throw') throw new TypeError('fetch failed')
    if (outcome === 'hang') {
      return new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        ),
      )
    }
    return outcome
  }
  return { fetch: fetch as typeof globalThis.fetch, seen }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })

const sleeps: number[] = []
const fastSleep = async (ms: number) => {
  sleeps.push(ms)
}

function transportFor(fetch: typeof globalThis.fetch, extra: { timeoutMs?: number } = {}) {
  return createUpstreamTransport({
    vendor: 'persona',
    baseUrl: 'https://vendor.test/api/v1',
    fetch,
    headers: () => ({ Authorization: 'Bearer persona_sandbox_secret' }),
    retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5_000 },
    sleep: fastSleep,
    random: () => 0.5,
    ...extra,
  })
}

describe('upstream transport', () => {
  it('retries a 5xx with the same body and Idempotency-Key until it succeeds', async () => {
    const vendor = scriptedVendor([
      () => json(503, { errors: [{ title: 'Service unavailable' }] }),
      () => json(500, {}),
      () => json(201, { data: { id: 'cnst_1' } }),
    ])
    const counter = createCallCounter()
    const response = await transportFor(vendor.fetch).send(
      {
        operation: 'persona.createShareToken',
        method: 'POST',
        path: '/connect/share-tokens',
        headers: { 'Idempotency-Key': 'share-key-1' },
        body: { data: { attributes: { 'source-id': 'inq_1' } } },
      },
      counter,
    )
    expect(response.status).toBe(201)
    expect(vendor.seen).toHaveLength(3)
    expect(new Set(vendor.seen.map((r) => r.headers.get('Idempotency-Key')))).toEqual(
      new Set(['share-key-1']),
    )
    expect(new Set(vendor.seen.map((r) => r.body)).size).toBe(1)
    expect(counter.calls).toEqual([
      expect.objectContaining({ operation: 'persona.createShareToken', attempts: 3, status: 201 }),
    ])
  })

  it('never retries a 4xx other than 429 and hands it back to the caller', async () => {
    const vendor = scriptedVendor([() => json(422, { errors: [{ title: 'Record invalid' }] })])
    const response = await transportFor(vendor.fetch).send({
      operation: 'persona.createInquiry',
      method: 'POST',
      path: '/inquiries',
      body: {},
    })
    expect(response.status).toBe(422)
    expect(response.body).toEqual({ errors: [{ title: 'Record invalid' }] })
    expect(vendor.seen).toHaveLength(1)
  })

  it('waits as long as RateLimit-Reset asks after a 429', async () => {
    sleeps.length = 0
    const vendor = scriptedVendor([
      () => json(429, { errors: [{ title: 'Rate limit exceeded' }] }, { 'RateLimit-Reset': '3' }),
      () => json(200, { data: [] }),
    ])
    const response = await transportFor(vendor.fetch).send({
      operation: 'persona.listInquiries',
      method: 'GET',
      path: '/inquiries',
    })
    expect(response.status).toBe(200)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(3_000)
  })

  it('backs off exponentially with jitter between attempts', async () => {
    sleeps.length = 0
    const vendor = scriptedVendor([() => 'throw'])
    await expect(
      transportFor(vendor.fetch).send({
        operation: 'persona.getInquiry',
        method: 'GET',
        path: '/x',
      }),
    ).rejects.toMatchObject({ name: 'UpstreamError', kind: 'network', attempts: 4 })
    // random() = 0.5 of a ceiling that doubles: 100, 200, 400.
    expect(sleeps).toEqual([50, 100, 200])
  })

  it('gives up on a vendor that never answers after the timeout, on every attempt', async () => {
    const vendor = scriptedVendor([() => 'hang'])
    const started = Date.now()
    const error = await transportFor(vendor.fetch, { timeoutMs: 20 })
      .send({ operation: 'coinflow.getWithdrawer', method: 'GET', path: '/withdraw' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect(error).toMatchObject({ kind: 'timeout', attempts: 4 })
    expect(vendor.seen).toHaveLength(4)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('makes one attempt only when the call says it must not be repeated', async () => {
    const vendor = scriptedVendor([() => json(503, {})])
    await expect(
      transportFor(vendor.fetch).send({
        operation: 'coinflow.registerShareToken',
        method: 'POST',
        path: '/withdraw/kyc/share-token',
        body: {},
        maxAttempts: 1,
      }),
    ).rejects.toMatchObject({ kind: 'status', status: 503, attempts: 1 })
    expect(vendor.seen).toHaveLength(1)
  })

  it('retries a 409 while the same Idempotency-Key is still in flight, then hands a lasting 409 back', async () => {
    const vendor = scriptedVendor([
      () => json(409, { errors: [{ title: 'Conflict' }] }),
      () => json(201, { data: { id: 'inq_1' } }),
    ])
    const request = {
      operation: 'persona.createInquiry',
      method: 'POST' as const,
      path: '/inquiries',
      headers: { 'Idempotency-Key': 'k' },
      body: {},
      retryConflicts: true,
    }
    expect((await transportFor(vendor.fetch).send(request)).status).toBe(201)
    const stubborn = scriptedVendor([() => json(409, { errors: [{ title: 'Conflict' }] })])
    expect((await transportFor(stubborn.fetch).send(request)).status).toBe(409)
    expect(stubborn.seen).toHaveLength(4)
  })

  it('coalesces concurrent identical reads into one request', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const vendor = scriptedVendor([
      async () => {
        await gate
        return json(200, { data: { id: 'inq_1' } })
      },
    ])
    const transport = transportFor(vendor.fetch)
    const counter = createCallCounter()
    const read = () =>
      transport.send(
        { operation: 'persona.getInquiry', method: 'GET', path: '/inquiries/inq_1' },
        counter,
      )
    const all = Promise.all([read(), read(), read()])
    release()
    const responses = await all
    expect(vendor.seen).toHaveLength(1)
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(counter.count('persona')).toBe(1)
    expect(counter.calls.filter((c) => c.coalesced)).toHaveLength(2)
  })

  it('never coalesces reads made for different users', async () => {
    const vendor = scriptedVendor([() => json(200, { withdrawer: {} })])
    const transport = transportFor(vendor.fetch)
    await Promise.all(
      ['user-a', 'user-b'].map((userId) =>
        transport.send({
          operation: 'coinflow.getWithdrawer',
          method: 'GET',
          path: '/withdraw',
          headers: { 'x-coinflow-auth-user-id': userId },
        }),
      ),
    )
    expect(vendor.seen.map((r) => r.headers.get('x-coinflow-auth-user-id')).sort()).toEqual([
      'user-a',
      'user-b',
    ])
  })

  it('never coalesces writes', async () => {
    const vendor = scriptedVendor([() => json(200, {})])
    const transport = transportFor(vendor.fetch)
    const write = () =>
      transport.send({ operation: 'persona.markForReview', method: 'POST', path: '/x', body: {} })
    await Promise.all([write(), write()])
    expect(vendor.seen).toHaveLength(2)
  })
})
