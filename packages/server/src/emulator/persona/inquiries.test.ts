import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, TEMPLATE_ID, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const HOUR = 60 * 60 * 1000

describe('Persona emulator: creating and reading inquiries', () => {
  it('creates an inquiry in status created from any itmpl_ template', async () => {
    harness = createHarness()
    const created = await harness.call('POST', '/api/v1/inquiries', {
      json: {
        data: {
          attributes: {
            'inquiry-template-id': TEMPLATE_ID,
            'reference-id': 'user-42',
            fields: { 'name-first': 'Jane', birthdate: '1994-04-12', 'address-country-code': 'US' },
          },
        },
      },
    })
    expect(created.status).toBe(201)
    expect(created.body.data.id).toMatch(/^inq_[A-Za-z0-9]{24}$/)
    expect(created.body.data.attributes).toMatchObject({
      status: 'created',
      'reference-id': 'user-42',
      'created-at': new Date(harness.clock.now()).toISOString(),
      'started-at': null,
    })
    expect(created.body.data.attributes.fields['name-first']).toEqual({
      type: 'string',
      value: 'Jane',
    })
    expect(created.body.data.attributes.fields.birthdate).toEqual({
      type: 'date',
      value: '1994-04-12',
    })
    expect(created.body.data.attributes.fields['name-last']).toEqual({
      type: 'string',
      value: null,
    })
    expect(created.body.data.relationships['inquiry-template'].data).toEqual({
      type: 'inquiry-template',
      id: TEMPLATE_ID,
    })
    expect(created.body.data.relationships.account.data.id).toMatch(/^act_/)
    expect(created.body.meta).toEqual({
      'session-token': null,
      'one-time-link': null,
      'one-time-link-short': null,
    })

    const read = await harness.call('GET', `/api/v1/inquiries/${created.body.data.id}`)
    expect(read.status).toBe(200)
    expect(read.body.data).toEqual(created.body.data)
    expect(read.body).not.toHaveProperty('included')
    expect(await harness.eventNames()).toEqual(['account.created', 'inquiry.created'])
  })

  it('fills meta with a session token and one-time links when asked', async () => {
    harness = createHarness()
    const created = await harness.call('POST', '/api/v1/inquiries', {
      json: {
        data: { attributes: { 'inquiry-template-id': TEMPLATE_ID } },
        meta: { 'auto-create-inquiry-session': true, 'auto-create-one-time-link': true },
      },
    })
    expect(created.body.meta['session-token']).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(created.body.meta['one-time-link']).toMatch(
      /^http:\/\/localhost:3000\/persona\/verify\?code=/,
    )
    expect(created.body.meta['one-time-link-short']).toMatch(
      /^http:\/\/localhost:3000\/persona\/v\//,
    )
    expect(created.body.data.relationships.sessions.data).toHaveLength(2)
  })

  it('accepts a legacy tmpl_ template and a template version', async () => {
    harness = createHarness()
    const legacy = await harness.call('POST', '/api/v1/inquiries', {
      json: { data: { attributes: { 'template-id': 'tmpl_Legacy' } } },
    })
    expect(legacy.status).toBe(201)
    expect(legacy.body.data.relationships.template.data).toEqual({
      type: 'template',
      id: 'tmpl_Legacy',
    })
    expect(legacy.body.data.relationships['inquiry-template'].data).toBeNull()

    const versioned = await harness.call('POST', '/api/v1/inquiries', {
      json: { data: { attributes: { 'inquiry-template-version-id': 'itmplv_Version1' } } },
    })
    expect(versioned.status).toBe(201)
    expect(versioned.body.data.relationships['inquiry-template-version'].data.id).toBe(
      'itmplv_Version1',
    )
    expect(versioned.body.data.relationships['inquiry-template'].data.id).toMatch(/^itmpl_/)
  })

  it.each([
    ['no template', {}, 'data.attributes.inquiry-template-id is missing'],
    [
      'two templates',
      { 'inquiry-template-id': TEMPLATE_ID, 'template-id': 'tmpl_x' },
      'only one of',
    ],
    [
      'a template without its prefix',
      { 'inquiry-template-id': 'tmpl_x' },
      'must start with itmpl_',
    ],
    [
      'a reference id of the wrong type',
      { 'inquiry-template-id': TEMPLATE_ID, 'reference-id': 42 },
      'data.attributes.reference-id must be a string',
    ],
    [
      'a birthdate that is not a date',
      { 'inquiry-template-id': TEMPLATE_ID, fields: { birthdate: '12/04/1990' } },
      'birthdate must be a date',
    ],
    [
      'a name that is not text',
      { 'inquiry-template-id': TEMPLATE_ID, fields: { 'name-first': ['Jane'] } },
      'name-first must be a string',
    ],
  ])('answers 400 for %s', async (_, attributes, details) => {
    harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/v1/inquiries', {
      json: { data: { attributes } },
    })
    expect(status).toBe(400)
    expect(body.errors[0].title).toBe('Bad Request')
    expect(body.errors[0].details).toContain(details)
    expect(harness.emulator.persona).toBeDefined()
  })

  it('answers 404 in Persona shape for an unknown inquiry', async () => {
    harness = createHarness()
    const { status, body } = await harness.call('GET', '/api/v1/inquiries/inq_DoesNotExist')
    expect(status).toBe(404)
    expect(body).toEqual({ errors: [{ title: 'Record not found' }] })
  })

  it('includes the account only when ?include asks for it', async () => {
    harness = createHarness()
    const id = await harness.createInquiry({ 'reference-id': 'user-7' })
    const withAccount = await harness.call('GET', `/api/v1/inquiries/${id}?include=account`)
    expect(withAccount.body.included).toHaveLength(1)
    expect(withAccount.body.included[0]).toMatchObject({
      type: 'account',
      attributes: { 'reference-id': 'user-7' },
    })
    const empty = await harness.call('GET', `/api/v1/inquiries/${id}?include=`)
    expect(empty.body.included).toEqual([])
  })

  it('updates note, tags and fields with PATCH', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const { status, body } = await harness.call('PATCH', `/api/v1/inquiries/${id}`, {
      json: {
        data: { attributes: { note: 'VIP', tags: ['vip'], fields: { 'name-last': 'Doe' } } },
      },
    })
    expect(status).toBe(200)
    expect(body.data.attributes).toMatchObject({ note: 'VIP', tags: ['vip'] })
    expect(body.data.attributes.fields['name-last']).toEqual({ type: 'string', value: 'Doe' })
  })

  it('redacts an inquiry once; a second redaction is a conflict', async () => {
    harness = createHarness()
    const id = await harness.completedInquiry()
    const redacted = await harness.call('DELETE', `/api/v1/inquiries/${id}`)
    expect(redacted.status).toBe(200)
    expect(redacted.body.data.attributes['redacted-at']).not.toBeNull()
    expect(redacted.body.data.attributes.fields).toEqual({})
    const again = await harness.call('DELETE', `/api/v1/inquiries/${id}`)
    expect(again.status).toBe(409)
    expect(again.body.errors[0].details).toBe('Inquiry already redacted')
  })
})

describe('Persona emulator: the inquiry lifecycle', () => {
  it('walks created → pending → completed → approved with timestamps and signed events', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    harness.clock.advance(1_000)
    const started = await harness.simulate(id, 'start_inquiry')
    expect(started.body.data.attributes).toMatchObject({
      status: 'pending',
      'started-at': new Date(harness.clock.now()).toISOString(),
      'expires-at': new Date(harness.clock.now() + 24 * HOUR).toISOString(),
    })
    harness.clock.advance(1_000)
    const completed = await harness.simulate(id, 'complete_inquiry')
    expect(completed.body.data.attributes).toMatchObject({
      status: 'completed',
      'expires-at': null,
    })
    expect(completed.body.data.attributes['completed-at']).toBe(
      new Date(harness.clock.now()).toISOString(),
    )
    const approved = await harness.call('POST', `/api/v1/inquiries/${id}/approve`, {
      json: { meta: { comment: 'looks good' } },
    })
    expect(approved.body.data.attributes).toMatchObject({
      status: 'approved',
      'reviewer-comment': 'looks good',
    })
    expect(approved.body.data.attributes['decisioned-at']).not.toBeNull()
    expect(approved.body.data.relationships.reviewer.data.type).toBe('user')

    const events = await harness.webhooks()
    expect(events.map((event) => event.event.data.attributes.name)).toEqual([
      'account.created',
      'inquiry.created',
      'inquiry.started',
      'inquiry.completed',
      'inquiry.approved',
    ])
    const completedEvent = events[3]!.event
    expect(completedEvent.data.id).toMatch(/^evt_/)
    expect(completedEvent.data.attributes.payload.data.attributes.status).toBe('completed')
  })

  it('applies the simulate actions of the sandbox, including verifications', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const { status, body } = await harness.call(
      'POST',
      `/api/v1/inquiries/${id}/perform-simulate-actions`,
      {
        json: {
          meta: {
            'simulate-actions': [
              { type: 'start_inquiry' },
              {
                type: 'create_failed_verification',
                data: { 'verification-template-id': 'vtmpl_Gov' },
              },
              {
                type: 'create_passed_verification',
                data: { 'verification-template-id': 'vtmpl_Gov' },
              },
              { type: 'complete_inquiry' },
              { type: 'mark_for_review_inquiry' },
              { type: 'decline_inquiry' },
            ],
          },
        },
      },
    )
    expect(status).toBe(200)
    expect(body.data.attributes.status).toBe('declined')
    expect(body.data.attributes['marked-for-review-at']).not.toBeNull()
    expect(body.data.relationships.verifications.data).toHaveLength(2)
    expect(body.data.relationships.verifications.data[0].id).toMatch(/^ver_/)
  })

  it('refuses a transition the status does not allow with 409', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const approve = await harness.call('POST', `/api/v1/inquiries/${id}/approve`)
    expect(approve.status).toBe(409)
    expect(approve.body.errors[0]).toEqual({
      title: 'Conflict',
      details: 'Cannot approve an inquiry with status created',
    })
    const simulated = await harness.simulate(id, 'start_inquiry', 'approve_inquiry')
    expect(simulated.status).toBe(409)
    const unknownAction = await harness.simulate(id, 'teleport_inquiry')
    expect(unknownAction.status).toBe(400)
  })

  it('fails, expires and marks for review through their own endpoints', async () => {
    harness = createHarness()
    const failed = await harness.createInquiry()
    expect((await harness.simulate(failed, 'fail_inquiry')).body.data.attributes.status).toBe(
      'failed',
    )

    const expired = await harness.createInquiry()
    const expire = await harness.call('POST', `/api/v1/inquiries/${expired}/expire`)
    expect(expire.body.data.attributes).toMatchObject({ status: 'expired' })
    expect(expire.body.data.attributes['expired-at']).not.toBeNull()

    const reviewed = await harness.completedInquiry()
    const review = await harness.call('POST', `/api/v1/inquiries/${reviewed}/mark-for-review`)
    expect(review.body.data.attributes.status).toBe('needs_review')
    const decline = await harness.call('POST', `/api/v1/inquiries/${reviewed}/decline`)
    expect(decline.body.data.attributes.status).toBe('declined')
    const reviewAgain = await harness.call('POST', `/api/v1/inquiries/${reviewed}/mark-for-review`)
    expect(reviewAgain.status).toBe(409)

    expect(await harness.eventNames()).toEqual(
      expect.arrayContaining([
        'inquiry.failed',
        'inquiry.expired',
        'inquiry.marked-for-review',
        'inquiry.declined',
      ]),
    )
  })

  it('expires a pending inquiry 24 hours after it started, on the emulator clock', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    await harness.simulate(id, 'start_inquiry')
    const startedAt = harness.clock.now()
    await harness.advance(24 * HOUR - 1)
    expect((await harness.call('GET', `/api/v1/inquiries/${id}`)).body.data.attributes.status).toBe(
      'pending',
    )
    await harness.advance(1)
    const { body } = await harness.call('GET', `/api/v1/inquiries/${id}`)
    expect(body.data.attributes.status).toBe('expired')
    expect(body.data.attributes['expired-at']).toBe(new Date(startedAt + 24 * HOUR).toISOString())
    expect((await harness.eventNames()).at(-1)).toBe('inquiry.expired')
  })

  it('honours a shorter expiry after creation', async () => {
    harness = createHarness()
    const id = await harness.createInquiry({}, { 'expiration-after-create-interval-seconds': 60 })
    await harness.advance(60_000)
    expect((await harness.call('GET', `/api/v1/inquiries/${id}`)).body.data.attributes.status).toBe(
      'expired',
    )
  })
})

describe('Persona emulator: one-time links and resuming', () => {
  it('generates a one-time link for an unfinished inquiry', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    const { status, body } = await harness.call(
      'POST',
      `/api/v1/inquiries/${id}/generate-one-time-link`,
      {
        json: { meta: { 'expires-in-seconds': 600 } },
      },
    )
    expect(status).toBe(200)
    expect(body.meta['one-time-link']).toMatch(/\/persona\/verify\?code=\w+$/)
    expect(body.meta['one-time-link-short']).toMatch(/\/persona\/v\/\w+$/)

    const zero = await harness.call('POST', `/api/v1/inquiries/${id}/generate-one-time-link`, {
      json: { meta: { 'expires-in-seconds': 0 } },
    })
    expect(zero.status).toBe(400)

    const done = await harness.completedInquiry()
    const finished = await harness.call('POST', `/api/v1/inquiries/${done}/generate-one-time-link`)
    expect(finished.status).toBe(409)
  })

  it('resumes with a session token, reusing an unused session, and brings an expired inquiry back', async () => {
    harness = createHarness()
    const id = await harness.createInquiry()
    await harness.simulate(id, 'start_inquiry')
    const first = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
    expect(first.status).toBe(200)
    expect(first.body.meta['session-token']).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const second = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
    expect(second.body.meta['session-token']).toBe(first.body.meta['session-token'])

    await harness.call('POST', `/api/v1/inquiries/${id}/expire`)
    const resumed = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
    expect(resumed.body.data.attributes).toMatchObject({ status: 'pending', 'expired-at': null })
    expect(resumed.body.meta['session-token']).not.toBe(first.body.meta['session-token'])
  })

  it('refuses to resume a finished inquiry', async () => {
    harness = createHarness()
    const id = await harness.completedInquiry()
    const { status, body } = await harness.call('POST', `/api/v1/inquiries/${id}/resume`)
    expect(status).toBe(409)
    expect(body.errors[0].details).toBe('Cannot resume an inquiry with status completed')
  })
})

describe('Persona emulator: listing inquiries', () => {
  async function seed(count: number) {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      ids.push(await harness.createInquiry({ 'reference-id': `user-${i % 3}` }))
      harness.clock.advance(1_000)
    }
    return ids
  }

  it('lists newest first, ten at a time, with next and prev cursors', async () => {
    harness = createHarness()
    const ids = await seed(12)
    const newestFirst = [...ids].reverse()
    const first = await harness.call('GET', '/api/v1/inquiries')
    expect(first.body.data.map((inquiry: { id: string }) => inquiry.id)).toEqual(
      newestFirst.slice(0, 10),
    )
    expect(first.body.links.prev).toBeNull()
    expect(first.body.links.next).toBe(`/api/v1/inquiries?page%5Bafter%5D=${newestFirst[9]}`)

    const second = await harness.call('GET', first.body.links.next)
    expect(second.body.data.map((inquiry: { id: string }) => inquiry.id)).toEqual(
      newestFirst.slice(10),
    )
    expect(second.body.links.next).toBeNull()
    expect(second.body.links.prev).toBe(`/api/v1/inquiries?page%5Bbefore%5D=${newestFirst[10]}`)

    const back = await harness.call('GET', second.body.links.prev)
    expect(back.body.data.map((inquiry: { id: string }) => inquiry.id)).toEqual(
      newestFirst.slice(0, 10),
    )
  })

  it('keeps page[size] and filters in its links', async () => {
    harness = createHarness()
    await seed(9)
    const page = await harness.call(
      'GET',
      '/api/v1/inquiries?filter%5Breference-id%5D=user-1&page%5Bsize%5D=2',
    )
    expect(page.body.data).toHaveLength(2)
    expect(
      page.body.data.every((inquiry: any) => inquiry.attributes['reference-id'] === 'user-1'),
    ).toBe(true)
    const next = await harness.call('GET', page.body.links.next)
    expect(next.body.data).toHaveLength(1)
    expect(next.body.links.next).toBeNull()
    expect(page.body.links.next).toContain('filter%5Breference-id%5D=user-1')
    expect(page.body.links.next).toContain('page%5Bsize%5D=2')
  })

  it('filters by status list, template, account and creation time', async () => {
    harness = createHarness()
    const [a, b, c] = await seed(3)
    await harness.simulate(a!, 'start_inquiry')
    await harness.simulate(b!, 'start_inquiry', 'complete_inquiry')
    const byStatus = await harness.call('GET', '/api/v1/inquiries?filter[status]=pending,completed')
    expect(byStatus.body.data.map((inquiry: { id: string }) => inquiry.id)).toEqual([b, a])

    const other = await harness.call('POST', '/api/v1/inquiries', {
      json: { data: { attributes: { 'inquiry-template-id': 'itmpl_Other' } } },
    })
    const byTemplate = await harness.call(
      'GET',
      '/api/v1/inquiries?filter[inquiry-template-id]=itmpl_Other',
    )
    expect(byTemplate.body.data.map((inquiry: { id: string }) => inquiry.id)).toEqual([
      other.body.data.id,
    ])

    const inquiry = (await harness.call('GET', `/api/v1/inquiries/${c}`)).body.data
    const account = inquiry.relationships.account.data.id
    const byAccount = await harness.call('GET', `/api/v1/inquiries?filter[account-id]=${account}`)
    expect(byAccount.body.data.map((found: { id: string }) => found.id)).toContain(c)

    const start = encodeURIComponent(inquiry.attributes['created-at'])
    const since = await harness.call('GET', `/api/v1/inquiries?filter[created-at-start]=${start}`)
    expect(since.body.data.map((found: { id: string }) => found.id)).toEqual([
      other.body.data.id,
      c,
    ])
  })

  it.each([
    ['page[size]=0', 'page[size] must be an integer between 1 and 100'],
    ['page[size]=101', 'page[size] must be an integer between 1 and 100'],
    ['page[size]=ten', 'page[size] must be an integer between 1 and 100'],
    ['page[after]=inq_Unknown', 'page[after] must be the id of an object in this list'],
    ['filter[colour]=blue', 'filter[colour] is not a supported filter'],
    ['filter[created-at-start]=yesterday', 'filter[created-at-start] must be an ISO 8601 time'],
  ])('answers 400 for %s', async (query, details) => {
    harness = createHarness()
    const { status, body } = await harness.call('GET', `/api/v1/inquiries?${query}`)
    expect(status).toBe(400)
    expect(body.errors[0].details).toBe(details)
  })

  it('allows up to 100 per page', async () => {
    harness = createHarness()
    await seed(3)
    const { status, body } = await harness.call('GET', '/api/v1/inquiries?page[size]=100')
    expect(status).toBe(200)
    expect(body.data).toHaveLength(3)
    expect(body.links).toEqual({ prev: null, next: null })
  })
})

describe('Persona emulator: magic last names', () => {
  it('declines an inquiry named Decline once it completes, as a workflow would', async () => {
    harness = createHarness()
    const id = await harness.completedInquiry({ 'name-last': 'Decline' })
    const { body } = await harness.call('GET', `/api/v1/inquiries/${id}`)
    expect(body.data.attributes.status).toBe('declined')
    expect(body.data.relationships.reviewer.data).toMatchObject({ type: 'workflow-run' })
    expect((await harness.eventNames()).slice(-2)).toEqual([
      'inquiry.completed',
      'inquiry.declined',
    ])
  })

  it('sends an inquiry named Review to manual review', async () => {
    harness = createHarness()
    const id = await harness.completedInquiry({ 'name-last': 'review' })
    const { body } = await harness.call('GET', `/api/v1/inquiries/${id}`)
    expect(body.data.attributes.status).toBe('needs_review')
  })
})
