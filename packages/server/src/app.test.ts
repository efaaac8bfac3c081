import { ErrorEnvelope, REQUEST_ID_HEADER } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { createShareflowApp } from './app'
import { createMemoryLogger } from './logger'

/** An app whose vendors must never be called: any upstream request fails the test. */
function appWithoutVendors() {
  const logger = createMemoryLogger()
  const vendorCalls: string[] = []
  const app = createShareflowApp({
    getUser: (c) =>
      c.req.header('x-host-session') === 'alice'
        ? { id: 'alice', email: 'alice@example.com' }
        : null,
    persona: { apiKey: 'persona_sandbox_unit', templateId: 'itmpl_unit', connectionId: 'cxn_unit' },
    coinflow: { apiKey: 'coinflow_unit', merchantId: 'unit' },
    fetch: async (input) => {
      vendorCalls.push(String(input))
      throw new Error('no vendor in this test')
    },
    logger,
    maxBodyBytes: 1_024,
  })
  return { app, logger, vendorCalls }
}

async function envelope(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/application\/json/)
  const body = ErrorEnvelope.parse(await response.json())
  expect(body.error.requestId).toBe(response.headers.get(REQUEST_ID_HEADER))
  return body.error
}

describe('createShareflowApp', () => {
  it('answers 401 in the envelope, with a request id, when the host knows no user', async () => {
    const { app, vendorCalls } = appWithoutVendors()
    const response = await app.request('/session')
    expect(response.status).toBe(401)
    expect(await envelope(response)).toMatchObject({ code: 'unauthenticated' })
    expect(vendorCalls).toEqual([])
  })

  it('answers unknown routes with not_found in the envelope, never a 500 or plain text', async () => {
    const { app } = appWithoutVendors()
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/session'],
      ['DELETE', '/kyc/share'],
    ] as const) {
      const response = await app.request(path, { method, headers: { 'x-host-session': 'alice' } })
      expect(response.status, `${method} ${path}`).toBe(404)
      expect((await envelope(response)).code).toBe('not_found')
    }
  })

  it('refuses a body with a user id, or anything else, on KYC actions', async () => {
    const { app, vendorCalls } = appWithoutVendors()
    const response = await app.request('/kyc/share', {
      method: 'POST',
      headers: { 'x-host-session': 'alice', 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'bob' }),
    })
    expect(response.status).toBe(400)
    const error = await envelope(response)
    expect(error.code).toBe('invalid_request')
    expect(error.fields?.[0]?.message).toMatch(/userId/)
    expect(vendorCalls).toEqual([])
  })

  it('answers malformed JSON with invalid_request', async () => {
    const { app } = appWithoutVendors()
    const response = await app.request('/kyc/inquiry', {
      method: 'POST',
      headers: { 'x-host-session': 'alice', 'Content-Type': 'application/json' },
      body: '{"oops":',
    })
    expect(response.status).toBe(400)
    expect((await envelope(response)).code).toBe('invalid_request')
  })

  it('answers oversized bodies with payload_too_large before reading them', async () => {
    const { app } = appWithoutVendors()
    const response = await app.request('/kyc/share', {
      method: 'POST',
      headers: { 'x-host-session': 'alice', 'Content-Type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(5_000) }),
    })
    expect(response.status).toBe(413)
    expect((await envelope(response)).code).toBe('payload_too_large')
  })

  it('answers payload_too_large from a declared Content-Length alone', async () => {
    const { app } = appWithoutVendors()
    const response = await app.request('/kyc/share', {
      method: 'POST',
      headers: {
        'x-host-session': 'alice',
        'Content-Type': 'application/json',
        'Content-Length': '5000',
      },
      body: '{}',
    })
    expect(response.status).toBe(413)
    expect((await envelope(response)).code).toBe('payload_too_large')
  })

  it('refuses cross-site writes riding on the host session', async () => {
    const { app, vendorCalls } = appWithoutVendors()
    const response = await app.request('http://bff.test/kyc/share', {
      method: 'POST',
      headers: {
        'x-host-session': 'alice',
        Origin: 'https://evil.test',
        'Sec-Fetch-Site': 'cross-site',
      },
    })
    expect(response.status).toBe(403)
    expect((await envelope(response)).code).toBe('forbidden')
    expect(vendorCalls).toEqual([])
  })

  it('turns a vendor outage into upstream_unavailable without vendor details', async () => {
    const { app, logger } = appWithoutVendors()
    const response = await app.request('/session', { headers: { 'x-host-session': 'alice' } })
    expect(response.status).toBe(503)
    const error = await envelope(response)
    expect(error.code).toBe('upstream_unavailable')
    expect(JSON.stringify(error)).not.toMatch(/no vendor in this test|coinflow_unit|fetch/i)
    // The detail is in the log, under the same request id.
    const logged = logger.records().find((r) => r.msg === 'request failed')
    expect(logged).toMatchObject({ requestId: error.requestId, code: 'upstream_unavailable' })
  })

  it('logs one line per request with its status and upstream call counts', async () => {
    const { app, logger } = appWithoutVendors()
    await app.request('/session')
    expect(logger.records().at(-1)).toMatchObject({
      msg: 'request',
      method: 'GET',
      path: '/session',
      status: 401,
      upstream: { persona: 0, coinflow: 0 },
    })
  })

  it('serves an OpenAPI 3.1 document of its routes, generated from the contract', async () => {
    const { app } = appWithoutVendors()
    const response = await app.request('/openapi.json')
    expect(response.status).toBe(200)
    const document = (await response.json()) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
      components: {
        schemas: Record<string, { type?: string; properties?: Record<string, unknown> }>
      }
    }
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/session',
        '/kyc/share',
        '/kyc/inquiry',
        '/events',
        '/webhooks/persona',
      ]),
    )
    expect(document.components.schemas.Session?.properties).toHaveProperty('kyc')
    expect(document.components.schemas.ErrorEnvelope?.properties).toHaveProperty('error')
  })
})
