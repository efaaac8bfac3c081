import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import {
  expectFetchMatchesSpec,
  expectResponseMatchesSpec,
  requestBodySchemaErrors,
  schemaErrorsAt,
  webhookBodySchemaErrors,
} from './openapi'

// Persona publishes a full example response per operation; the validator must accept the vendor's
// own example and reject it once it is bent out of shape.
const personaExamples = (() => {
  const source = readFileSync(
    new URL('../vendor-specs/persona-openapi.yaml', import.meta.url),
    'utf8',
  )
  const start = source.indexOf('\n  examples:\n')
  const end = source.indexOf('\n  responses:\n', start)
  const components = parseYaml(`examples:${source.slice(start + '\n  examples:'.length, end)}`) as {
    examples: Record<string, { value: unknown }>
  }
  return components.examples
})()

const example = (name: string) => structuredClone(personaExamples[name]!.value) as any

/** Checks `body` as Persona's answer to GET /api/v1/inquiries/inq_1. */
const checkRetrievedInquiry =
  (body: unknown, status = 200) =>
  () =>
    expectResponseMatchesSpec('persona', {
      method: 'GET',
      path: '/api/v1/inquiries/inq_1',
      status,
      body,
    })

const json = (body: unknown, status: number) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('expectResponseMatchesSpec', () => {
  it("accepts Persona's own example of a retrieved inquiry", () => {
    expect(() =>
      expectResponseMatchesSpec('persona', {
        method: 'GET',
        path: '/api/v1/inquiries/inq_zEx4jL84ShbUyuwX6AzPSqt6',
        status: 200,
        body: example('inquiry-retrieve'),
      }),
    ).not.toThrow()
  })

  it('accepts a full URL and ignores the query string', () => {
    expect(() =>
      expectResponseMatchesSpec('persona', {
        method: 'get',
        path: 'http://persona.test/api/v1/inquiries/inq_zEx4jL84ShbUyuwX6AzPSqt6?include=account',
        status: 200,
        body: example('inquiry-retrieve'),
      }),
    ).not.toThrow()
  })

  it('names the property the spec does not allow', () => {
    const body = example('inquiry-retrieve')
    body.data.attributes.status = 'teleported'
    body.data.surprise = true
    expect(checkRetrievedInquiry(body)).toThrow(
      /GET \/inquiries\/\{inquiry-id\} 200 does not match[\s\S]*\/data[\s\S]*surprise/,
    )
  })

  it('rejects a value of the wrong type deep inside the envelope', () => {
    const body = example('inquiry-retrieve')
    body.data.attributes['created-at'] = 1680116805
    expect(checkRetrievedInquiry(body)).toThrow(/\/data\/attributes\/created-at/)
  })

  it('fails a status the operation does not list', () => {
    expect(checkRetrievedInquiry({ errors: [{ title: 'Teapot' }] }, 418)).toThrow(
      /answered 418, which Persona API Reference 2025-12-08 does not list/,
    )
  })

  it("checks Persona's error shape on a documented error status", () => {
    const unauthorized = { errors: [{ title: 'Must be authenticated to access this endpoint' }] }
    expect(checkRetrievedInquiry(unauthorized, 401)).not.toThrow()
    expect(checkRetrievedInquiry({ error: 'unauthorized' }, 401)).toThrow(/401 does not match/)
  })

  it('prefers a literal path segment over a template parameter', () => {
    // `/inquiries/search` is its own POST operation, not GET `/inquiries/{inquiry-id}`.
    expect(() =>
      expectResponseMatchesSpec('persona', {
        method: 'GET',
        path: '/api/v1/inquiries/search',
        status: 200,
        body: example('inquiry-retrieve'),
      }),
    ).toThrow(/no GET operation on \/inquiries\/search/)
  })

  it('fails a path the spec does not have', () => {
    expect(() =>
      expectResponseMatchesSpec('persona', {
        method: 'GET',
        path: '/api/v1/teleporters/tp_1',
        status: 200,
        body: {},
      }),
    ).toThrow(/no path matching GET \/api\/v1\/teleporters\/tp_1/)
  })

  it("strips Coinflow's /api base path and validates against its schemas", () => {
    expect(() =>
      expectResponseMatchesSpec('coinflow', {
        method: 'POST',
        path: '/api/withdraw/kyc/share-token',
        status: 400,
        body: { message: 'anything is allowed here' },
      }),
    ).not.toThrow()
    expect(() =>
      expectResponseMatchesSpec('coinflow', {
        method: 'POST',
        path: '/api/withdraw/kyc/share-token',
        status: 200,
        body: { registered: true },
      }),
    ).toThrow(/must have required property 'withdrawer'/)
  })
})

describe('expectFetchMatchesSpec', () => {
  it('returns the parsed body of a matching response', async () => {
    const body = await expectFetchMatchesSpec(
      'persona',
      'GET',
      '/api/v1/inquiries/inq_zEx4jL84ShbUyuwX6AzPSqt6',
      json(example('inquiry-retrieve'), 200),
    )
    expect(body.data.id).toBe('inq_zEx4jL84ShbUyuwX6AzPSqt6')
  })

  it('rejects a body that is not JSON', async () => {
    await expect(
      expectFetchMatchesSpec(
        'persona',
        'GET',
        '/api/v1/inquiries/inq_1',
        new Response('Internal Server Error', { status: 500 }),
      ),
    ).rejects.toThrow(/answered 500 with text\/plain.*not JSON/)
  })

  it('rejects a response the spec does not describe', async () => {
    await expect(
      expectFetchMatchesSpec(
        'persona',
        'GET',
        '/api/v1/inquiries/inq_1',
        json({ data: null }, 200),
      ),
    ).rejects.toThrow(/\/data must be object/)
  })
})

describe('requestBodySchemaErrors', () => {
  it('accepts a Persona share-token registration body for Coinflow', () => {
    expect(
      requestBodySchemaErrors('coinflow', 'POST', '/api/withdraw/kyc/share-token', {
        shareToken: 'cst_123',
        vendor: 'persona',
        email: 'jane@example.com',
      }),
    ).toEqual([])
  })

  it('lists what is wrong with a body the vendor would refuse', () => {
    const errors = requestBodySchemaErrors('coinflow', 'POST', '/api/withdraw/kyc/share-token', {
      vendor: 'persona',
    })
    expect(errors.join('\n')).toMatch(/shareToken/)
  })

  it('reports an operation the spec does not have', () => {
    expect(requestBodySchemaErrors('persona', 'POST', '/api/v1/teleporters', {})).toEqual([
      expect.stringMatching(/no path matching/),
    ])
  })
})

describe('webhookBodySchemaErrors', () => {
  it("accepts Persona's own example of an inquiry.completed webhook and rejects a bent copy", () => {
    const body = example('inquiry-completed-webhook-body')
    expect(webhookBodySchemaErrors('persona', 'inquiry.completed', body)).toEqual([])
    body.data.attributes.name = 'inquiry.approved'
    expect(webhookBodySchemaErrors('persona', 'inquiry.completed', body).join('\n')).toMatch(
      /\/data\/attributes\/name must be equal to constant/,
    )
  })

  it('reports an event the spec does not document', () => {
    expect(webhookBodySchemaErrors('persona', 'inquiry.teleported', {})).toEqual([
      'Persona API Reference 2025-12-08 documents no webhook named inquiry.teleported',
    ])
  })
})

describe('schemaErrorsAt', () => {
  it('validates against any schema in the document by JSON pointer', () => {
    const unavailable =
      '#/components/responses/service-unavailable/content/application~1json/schema'
    expect(
      schemaErrorsAt('persona', unavailable, { errors: [{ title: 'Service unavailable' }] }),
    ).toEqual([])
    expect(schemaErrorsAt('persona', unavailable, { errors: [{ detail: 'x' }] })).toEqual([
      "/errors/0 must NOT have additional properties 'detail'",
    ])
  })
})
