/**
 * The BFF behind a real nginx that ends TLS, as production runs it: the browser's page is on
 * `https://…`, the BFF hears `http://127.0.0.1:…`. Same-origin writes must get through, writes
 * from other sites must not, and the forwarded headers count only from a trusted proxy.
 */
import { ErrorEnvelope } from '@shareflow/contract'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveShareflow, type ServingShareflow } from '../../src/node'
import { startTlsProxy, httpsFetch, type TlsProxy } from '../tls-proxy'
import { createTestBff, USER_HEADER } from './bff'

async function bffBehindProxy(trustProxy: number) {
  const { app, vendorCalls } = createTestBff({ rateLimits: false })
  const server = await serveShareflow({ app: new Hono().route('/api', app), trustProxy })
  const proxy = await startTlsProxy({ upstream: server.url })
  return { server, proxy, vendorCalls }
}

const share = (proxy: TlsProxy, origin: string) =>
  httpsFetch(proxy, '/api/kyc/share', {
    method: 'POST',
    headers: { Origin: origin, 'Sec-Fetch-Site': 'same-origin', [USER_HEADER]: 'ada' },
  })

const codeOf = (body: string) => ErrorEnvelope.safeParse(JSON.parse(body)).data?.error.code

describe('behind nginx ending TLS, with trustProxy: 1', () => {
  let server: ServingShareflow
  let proxy: TlsProxy
  let vendorCalls: () => number
  beforeAll(async () => ({ server, proxy, vendorCalls } = await bffBehindProxy(1)))
  afterAll(async () => {
    await proxy?.stop()
    await server?.close()
  })

  it("takes a write from the proxy's own https origin as same-origin", async () => {
    const before = vendorCalls()
    const answer = await share(proxy, proxy.origin)
    // The write reached the KYC service, which asked Persona (no vendor stands behind this BFF).
    expect(codeOf(answer.body)).toBe('upstream_unavailable')
    expect(vendorCalls()).toBeGreaterThan(before)
  })

  it('still refuses a write from another site through the same proxy', async () => {
    const before = vendorCalls()
    const answer = await httpsFetch(proxy, '/api/kyc/share', {
      method: 'POST',
      headers: {
        Origin: 'https://evil.test',
        'Sec-Fetch-Site': 'cross-site',
        [USER_HEADER]: 'ada',
      },
    })
    expect(answer.status).toBe(403)
    expect(codeOf(answer.body)).toBe('forbidden')
    expect(vendorCalls()).toBe(before)
    // The plain-http twin of the page's origin is another origin.
    const downgraded = await share(proxy, proxy.origin.replace('https:', 'http:'))
    expect(codeOf(downgraded.body)).toBe('forbidden')
  })
})

describe('the forwarded headers without a trusted proxy', () => {
  it('are ignored behind the same nginx: the BFF cannot tell the page is https', async () => {
    const { server, proxy } = await bffBehindProxy(0)
    try {
      const answer = await share(proxy, proxy.origin)
      expect(answer.status).toBe(403)
      expect(codeOf(answer.body)).toBe('forbidden')
    } finally {
      await proxy.stop()
      await server.close()
    }
  })

  it('are ignored when a client sends them straight to the BFF', async () => {
    const { app } = createTestBff({ rateLimits: false })
    const server = await serveShareflow({ app })
    try {
      const response = await fetch(`${server.url}/kyc/share`, {
        method: 'POST',
        headers: {
          Origin: 'https://evil.test',
          'X-Forwarded-Proto': 'https',
          'X-Forwarded-Host': 'evil.test',
          [USER_HEADER]: 'ada',
        },
      })
      expect(response.status).toBe(403)
      expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('forbidden')
    } finally {
      await server.close()
    }
  })
})
