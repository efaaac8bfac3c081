import { describe, expect, it } from 'vitest'
import { createTestLedger } from '../../test/payouts/ledger'
import { createShareflowApp } from '../app'
import { silentLogger } from '../logger'
import { createPayoutsModule } from './module'

function appWithPayouts() {
  const vendorCalls: string[] = []
  const payouts = createPayoutsModule({ ledger: createTestLedger() })
  const app = createShareflowApp({
    getUser: (c) =>
      c.req.header('x-host-session') === 'alice' ? { id: 'alice', email: 'a@example.com' } : null,
    persona: { apiKey: 'persona_sandbox_unit', templateId: 'itmpl_unit', connectionId: 'cxn_unit' },
    coinflow: { apiKey: 'coinflow_unit', merchantId: 'unit' },
    fetch: async (input) => {
      vendorCalls.push(String(input))
      throw new Error('no vendor in this test')
    },
    logger: silentLogger,
    modules: [payouts],
  })
  return { app, payouts, vendorCalls }
}

describe('createPayoutsModule', () => {
  it('documents every route it mounts in the OpenAPI document', async () => {
    const { app } = appWithPayouts()
    const document = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
      components: { schemas: Record<string, unknown> }
    }
    const mounted = app.routes
      .filter((route) => /^\/(destinations|quotes|payouts)/.test(route.path))
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`)
    expect(mounted.length).toBeGreaterThanOrEqual(9)
    for (const route of mounted) {
      const [method, path] = route.split(' ') as [string, string]
      expect(document.paths[path]?.[method], route).toBeDefined()
    }
    // Every schema the payout paths name is in the document.
    const refs = JSON.stringify(document.paths).match(/#\/components\/schemas\/\w+/g) ?? []
    for (const ref of new Set(refs)) {
      expect(document.components.schemas[ref.split('/').at(-1)!], ref).toBeDefined()
    }
  })

  it('refuses the signed-out, and bad input, before asking any vendor', async () => {
    const { app, vendorCalls } = appWithPayouts()
    expect((await app.request('/payouts')).status).toBe(401)
    expect((await app.request('/destinations')).status).toBe(401)
    const noKey = await app.request('/payouts', {
      method: 'POST',
      headers: { 'x-host-session': 'alice', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        amount: { cents: 100, currency: 'USD' },
        speed: 'asap',
        destinationId: 'x',
        fee: { cents: 0, currency: 'USD' },
      }),
    })
    expect(noKey.status).toBe(400)
    const unknown = await app.request('/payouts/po_00000000000000000000000000000000', {
      headers: { 'x-host-session': 'alice' },
    })
    expect(unknown.status).toBe(404)
    expect(vendorCalls).toEqual([])
  })

  it('asks who is signed in before reading anything else', async () => {
    const { app } = appWithPayouts()
    for (const path of [
      '/payouts',
      '/quotes',
      '/destinations/iban',
      '/destinations/pix',
      '/destinations/card',
    ]) {
      const response = await app.request(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"not": "valid"',
      })
      expect(response.status, path).toBe(401)
    }
    expect((await app.request('/payouts?limit=nonsense')).status).toBe(401)
  })

  it('hands out its service only once an app has registered it', () => {
    expect(() => createPayoutsModule({ ledger: createTestLedger() }).service).toThrow(
      /not been registered/,
    )
    expect(typeof appWithPayouts().payouts.service.request).toBe('function')
  })
})
