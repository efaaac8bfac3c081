import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { auth, createHarness, TEMPLATE_ID, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const createBody = { data: { attributes: { 'inquiry-template-id': TEMPLATE_ID } } }

describe('Persona emulator: authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
    ['another scheme', { Authorization: 'Basic dXNlcjpwYXNz' }],
  ])('answers 401 without rate-limit headers for %s', async (_, headers) => {
    harness = createHarness()
    const {
      status,
      body,
      headers: answer,
    } = await harness.call('GET', '/api/v1/inquiries', {
      anonymous: true,
      headers,
    })
    expect(status).toBe(401)
    expect(body).toEqual({ errors: [{ title: 'Must be authenticated to access this endpoint' }] })
    expect(answer.get('RateLimit-Limit')).toBeNull()
    expect(answer.get('Request-Id')).toBeNull()
  })

  it('accepts any non-empty bearer key', async () => {
    harness = createHarness()
    const { status } = await harness.call('GET', '/api/v1/inquiries', {
      anonymous: true,
      headers: { Authorization: 'Bearer anything-at-all' },
    })
    expect(status).toBe(200)
  })
})

describe('Persona emulator: response headers and the rate limit', () => {
  it('sends request, environment and rate-limit headers on every authenticated answer', async () => {
    harness = createHarness()
    const ok = await harness.call('GET', '/api/v1/inquiries')
    expect(ok.headers.get('Request-Id')).toMatch(/^req_/)
    expect(ok.headers.get('Persona-Environment-Id')).toMatch(/^env_/)
    expect(ok.headers.get('Persona-Organization-Id')).toMatch(/^org_/)
    expect(ok.headers.get('RateLimit-Limit')).toBe('300')
    expect(ok.headers.get('RateLimit-Remaining')).toBe('299')
    expect(ok.headers.get('RateLimit-Reset')).toBe('60')
    const missing = await harness.call('GET', '/api/v1/inquiries/inq_Missing')
    expect(missing.status).toBe(404)
    expect(missing.headers.get('RateLimit-Remaining')).toBe('298')
    expect(missing.headers.get('Request-Id')).not.toBe(ok.headers.get('Request-Id'))
  })

  it('answers 429 after 300 requests in the fixed minute, then opens the next window', async () => {
    harness = createHarness()
    for (let i = 0; i < 300; i++) {
      const { status } = await harness.emulator.persona.request(
        'http://persona.test/api/v1/inquiries',
        {
          headers: { Authorization: 'Bearer key' },
        },
      )
      expect(status).toBe(200)
    }
    harness.clock.advance(45_000)
    const limited = await harness.call('GET', '/api/v1/inquiries')
    expect(limited.status).toBe(429)
    expect(limited.body.errors[0].title).toBe('Rate limit exceeded')
    expect(limited.headers.get('RateLimit-Remaining')).toBe('0')
    expect(limited.headers.get('RateLimit-Reset')).toBe('15')

    harness.clock.advance(15_000)
    const next = await harness.call('GET', '/api/v1/inquiries')
    expect(next.status).toBe(200)
    expect(next.headers.get('RateLimit-Remaining')).toBe('299')
  })

  it('takes its budget from the options', async () => {
    harness = createHarness({ persona: { rateLimitPerMinute: 2 } })
    expect((await harness.call('GET', '/api/v1/inquiries')).status).toBe(200)
    expect((await harness.call('GET', '/api/v1/inquiries')).status).toBe(200)
    expect((await harness.call('GET', '/api/v1/inquiries')).status).toBe(429)
  })
})

describe('Persona emulator: Idempotency-Key', () => {
  it('replays the first response for a reused Idempotency-Key', async () => {
    harness = createHarness()
    const headers = { 'Idempotency-Key': 'create-1' }
    const first = await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    const second = await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    expect(second.status).toBe(201)
    expect(second.body).toEqual(first.body)
    expect(second.headers.get('Request-Id')).not.toBe(first.headers.get('Request-Id'))
    const list = await harness.call('GET', '/api/v1/inquiries')
    expect(list.body.data).toHaveLength(1)
  })

  it('answers 409 when the key comes back with different parameters', async () => {
    harness = createHarness()
    const headers = { 'Idempotency-Key': 'create-2' }
    await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    const changed = await harness.call('POST', '/api/v1/inquiries', {
      headers,
      json: { data: { attributes: { 'inquiry-template-id': 'itmpl_Other' } } },
    })
    expect(changed.status).toBe(409)
    expect(changed.body.errors[0].details).toBe(
      'Idempotency-Key was already used with different parameters',
    )
  })

  /** An injected 503 is no status Persona's document lists, so this call is not checked against it. */
  const createDuringOutage = async () => {
    const response = await harness.emulator.persona.request(
      'http://persona.test/api/v1/inquiries',
      {
        method: 'POST',
        headers: { ...auth, 'Idempotency-Key': 'create-during-outage' },
        body: JSON.stringify(createBody),
      },
    )
    return { status: response.status, body: await response.json() }
  }

  it('replays an injected 5xx to a retry with the same key, as Persona replays its 500s', async () => {
    harness = createHarness({ faults: { persona: { errorRate: 1 } } })
    const failed = await createDuringOutage()
    expect(failed.status).toBe(503)
    harness.emulator.world.faults.persona.errorRate = 0
    expect(await createDuringOutage()).toEqual(failed)
    // Nothing was made under the key; a new key makes the inquiry.
    expect((await harness.call('GET', '/api/v1/inquiries')).body.data).toHaveLength(0)
    const fresh = await harness.call('POST', '/api/v1/inquiries', {
      headers: { 'Idempotency-Key': 'create-after-outage' },
      json: createBody,
    })
    expect(fresh.status).toBe(201)
  })

  it('does not replay a request that never answered or an injected 429: they never reached Persona', async () => {
    harness = createHarness({ faults: { persona: { rateLimitRate: 1 } } })
    const headers = { 'Idempotency-Key': 'create-while-limited' }
    const limited = await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    expect(limited.status).toBe(429)
    harness.emulator.world.faults.persona.rateLimitRate = 0
    const retried = await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    expect(retried.status).toBe(201)
  })

  it('keeps a key per path: the same key on another path is a request of its own', async () => {
    harness = createHarness()
    const headers = { 'Idempotency-Key': 'same-key' }
    const inquiry = await harness.call('POST', '/api/v1/inquiries', { headers, json: createBody })
    expect(inquiry.status).toBe(201)
    const account = await harness.call('POST', '/api/v1/accounts', {
      headers,
      json: { data: { attributes: { 'reference-id': 'user-9' } } },
    })
    expect(account.status).toBe(201)
    expect(account.body.data.type).toBe('account')
  })

  it('keeps at most idempotencyKeysKept answers, forgetting the oldest first', async () => {
    harness = createHarness({ persona: { idempotencyKeysKept: 2 } })
    const create = (key: string) =>
      harness.call('POST', '/api/v1/inquiries', {
        headers: { 'Idempotency-Key': key },
        json: createBody,
      })
    const first = await create('key-1')
    const second = await create('key-2')
    await create('key-3')
    // key-2 is still kept and replayed; key-1 was the oldest, so it makes a new inquiry.
    expect((await create('key-2')).body).toEqual(second.body)
    const again = await create('key-1')
    expect(again.status).toBe(201)
    expect(again.body.data.id).not.toBe(first.body.data.id)
  })

  it('replays errors too, but not a 401 or 429, and forgets keys after 24 hours', async () => {
    harness = createHarness()
    const headers = { 'Idempotency-Key': 'approve-1' }
    const id = await harness.createInquiry()
    const refused = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, { headers })
    expect(refused.status).toBe(409)
    await harness.simulate(id, 'start_inquiry', 'complete_inquiry')
    const replayed = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, { headers })
    expect(replayed).toMatchObject({ status: 409, body: refused.body })

    const unauthenticated = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, {
      anonymous: true,
      headers: { 'Idempotency-Key': 'approve-2' },
    })
    expect(unauthenticated.status).toBe(401)
    const approved = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, {
      headers: { 'Idempotency-Key': 'approve-2' },
    })
    expect(approved.status).toBe(200)

    harness.clock.advance(24 * 60 * 60 * 1000)
    const fresh = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, { headers })
    expect(fresh.status).toBe(409)
    expect(fresh.body.errors[0].details).toBe('Cannot approve an inquiry with status approved')
  })
})

describe('Persona emulator: Key-Inflection and Persona-Version', () => {
  it('answers in camelCase or snake_case when asked, leaving field names alone', async () => {
    harness = createHarness()
    const id = await harness.createInquiry({
      'reference-id': 'user-1',
      fields: { 'name-first': 'Jane' },
    })
    const camel = await harness.call('GET', `/api/v1/inquiries/${id}`, {
      headers: { 'Key-Inflection': 'camel' },
    })
    expect(camel.body.data.attributes.referenceId).toBe('user-1')
    expect(camel.body.data.relationships.inquiryTemplate.data.type).toBe('inquiry-template')
    expect(camel.body.data.attributes.fields['name-first']).toEqual({
      type: 'string',
      value: 'Jane',
    })
    const snake = await harness.call('GET', `/api/v1/inquiries/${id}`, {
      headers: { 'Key-Inflection': 'snake' },
    })
    expect(snake.body.data.attributes.created_at).toBeDefined()
  })

  it('accepts request bodies in any inflection', async () => {
    harness = createHarness()
    const camel = await harness.call('POST', '/api/v1/inquiries', {
      json: {
        data: {
          attributes: {
            inquiryTemplateId: TEMPLATE_ID,
            referenceId: 'user-camel',
            fields: { nameFirst: 'Jo' },
          },
        },
      },
    })
    expect(camel.status).toBe(201)
    expect(camel.body.data.attributes['reference-id']).toBe('user-camel')
    expect(camel.body.data.attributes.fields['name-first'].value).toBe('Jo')
    const snake = await harness.call('POST', '/api/v1/inquiries', {
      json: {
        data: { attributes: { inquiry_template_id: TEMPLATE_ID, reference_id: 'user-snake' } },
      },
    })
    expect(snake.body.data.attributes['reference-id']).toBe('user-snake')
  })

  it('refuses an unknown Key-Inflection or Persona-Version with 400', async () => {
    harness = createHarness()
    const inflection = await harness.call('GET', '/api/v1/inquiries', {
      headers: { 'Key-Inflection': 'pascal' },
    })
    expect(inflection.status).toBe(400)
    expect(inflection.body.errors[0].details).toBe(
      'Key-Inflection must be one of camel, kebab, snake',
    )
    const version = await harness.call('GET', '/api/v1/inquiries', {
      headers: { 'Persona-Version': '2030-01-01' },
    })
    expect(version.status).toBe(400)
  })

  it('serialises related objects by default for versions before 2025-10-27', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const current = await harness.call('GET', `/api/v1/inquiries/${id}`, {
      headers: { 'Persona-Version': '2025-12-08' },
    })
    expect(current.body).not.toHaveProperty('included')
    const older = await harness.call('GET', `/api/v1/inquiries/${id}`, {
      headers: { 'Persona-Version': '2023-01-05' },
    })
    expect(older.body.included.map((object: { type: string }) => object.type)).toEqual(['account'])
  })
})

describe('Persona emulator: bad requests', () => {
  it.each([
    ['malformed JSON', '{"data":', 'Request body must be valid JSON'],
    ['a JSON array', '[1,2]', 'Request body must be a JSON object'],
    ['a JSON string', '"inquiry"', 'Request body must be a JSON object'],
    ['data of the wrong type', '{"data":"inquiry"}', 'data must be an object'],
  ])('answers 400 for %s', async (_, raw, details) => {
    harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/v1/inquiries', { raw })
    expect(status).toBe(400)
    expect(body).toEqual({ errors: [{ title: 'Bad Request', details }] })
  })

  it('answers 404 in Persona shape for a path it does not serve', async () => {
    harness = createHarness()
    const response = await harness.emulator.persona.request(
      'http://persona.test/api/v1/teleporters',
      {
        headers: { Authorization: 'Bearer key' },
      },
    )
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ errors: [{ title: 'Record not found' }] })
  })

  it('never answers 500 or hangs, whatever JSON arrives at a write endpoint', async () => {
    harness = createHarness()
    const inquiry = await harness.completedInquiry()
    const paths = [
      '/api/v1/inquiries',
      `/api/v1/inquiries/${inquiry}/perform-simulate-actions`,
      `/api/v1/inquiries/${inquiry}/generate-one-time-link`,
      '/api/v1/connect/share-tokens',
      '/api/v1/cases',
      '/api/v1/accounts',
      '/api/v1/transactions',
    ]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.jsonValue(), async (path, value) => {
        const { status } = await harness.call('POST', path, { raw: JSON.stringify(value) })
        expect(status).toBeLessThan(500)
      }),
      { numRuns: 150, seed: 7 },
    )
    const garbage = await harness.call('POST', '/api/v1/connect/share-tokens', {
      json: {
        data: {
          attributes: {
            'connection-id': { nested: true },
            'source-id': 7,
            'expires-in-seconds': 'soon',
          },
        },
      },
    })
    expect(garbage.status).toBe(400)
    expect(garbage.body.errors[0].details).toBe(
      'data.attributes.connection-id must be a string, data.attributes.source-id must be a string, data.attributes.expires-in-seconds must be a number',
    )
  })
})
