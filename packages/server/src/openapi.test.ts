import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { createOpenApiDocument, type OpenApiPaths } from './openapi'
import { payoutPaths } from './payouts/openapi'

type Doc = {
  openapi: string
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
  components: { schemas: Record<string, object> }
}

const document = createOpenApiDocument({ serverUrl: '/api/shareflow' }) as Doc
/** The document the app serves: the core routes and the payout module's. */
const createShareflowDocument = () => createOpenApiDocument({ paths: [payoutPaths] }) as Doc

function validatorFor(name: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const schema = document.components.schemas[name]
  expect(schema, name).toBeDefined()
  return ajv.compile(schema!)
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with every component a valid JSON Schema 2020-12', () => {
    expect(document.openapi).toBe('3.1.0')
    expect(document.servers).toEqual([{ url: '/api/shareflow' }])
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => validatorFor(name), name).not.toThrow()
    }
  })

  it('describes the wire the routes send: a real Session validates, a wrong one does not', () => {
    const validate = validatorFor('Session')
    const session = {
      user: { id: 'user-1' },
      kyc: { state: 'approved', nextAction: 'none', updatedAt: '2026-11-22T12:00:00.000Z' },
      destinations: [
        {
          id: 'tok_1',
          type: 'bank_account',
          label: 'Checking',
          last4: '6789',
          currency: 'USD',
          speeds: ['standard'],
        },
      ],
      coinflow: {
        sessionKey: 'key',
        merchantId: 'merchant',
        env: 'sandbox',
        origin: 'https://sandbox.coinflow.cash',
        expiresAt: '2026-11-22T12:30:00.000Z',
      },
    }
    expect(validate(session), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...session, kyc: { ...session.kyc, state: 'maybe' } })).toBe(false)
    expect(validate({ ...session, extra: true })).toBe(false)
  })

  it('answers every error status with the one envelope', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400) continue
          expect(JSON.stringify(response), `${method} ${path} ${status}`).toContain(
            '#/components/schemas/ErrorEnvelope',
          )
        }
      }
    }
  })

  it('lists what the pipeline in front of every route can answer, beside the route’s own codes', () => {
    const full = createShareflowDocument()
    const statuses = (path: string, method: string) =>
      Object.keys(full.paths[path]?.[method]?.responses ?? {})
    for (const [path, item] of Object.entries(full.paths)) {
      for (const method of Object.keys(item)) {
        const listed = statuses(path, method)
        expect(listed, `${method} ${path}`).toContain('500')
        if (path === '/healthz' || path === '/readyz') {
          expect(listed, `${method} ${path} is ahead of the limits`).not.toContain('429')
          continue
        }
        // The rate limits and the request deadline (or a store outage) stand before every route.
        expect(listed, `${method} ${path}`).toEqual(expect.arrayContaining(['429', '503']))
        if (method !== 'get') {
          expect(listed, `${method} ${path} has a body limit`).toEqual(
            expect.arrayContaining(['400', '413', '403']),
          )
        }
      }
    }
    expect(statuses('/healthz', 'get')).toEqual(['200', '500'])
    // A route's own code and the pipeline's share a status without one hiding the other.
    const inquiry403 = full.paths['/kyc/inquiry']!.post!.responses['403'] as Record<string, unknown>
    expect(inquiry403['x-error-codes']).toEqual(['forbidden'])
    const share403 = full.paths['/kyc/share']!.post!.responses['403'] as Record<string, unknown>
    expect(share403['x-error-codes']).toEqual(['kyc_required', 'forbidden'])
    expect(share403.description).toBe('Error envelope; `code` is `kyc_required` or `forbidden`.')
  })

  it('merges the paths route modules contribute', () => {
    const extra: OpenApiPaths = {
      '/payouts': { post: { operationId: 'createPayout', responses: {} } },
    }
    const merged = createOpenApiDocument({ paths: [extra] }) as Doc
    expect(merged.paths['/payouts']?.post).toMatchObject({ operationId: 'createPayout' })
    expect(merged.paths['/session']).toBeDefined()
  })
})
