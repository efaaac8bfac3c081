import { afterEach, describe, expect, it } from 'vitest'
import { sandboxPeople, sharedIdentityOf } from '../sandbox-people'
import { CONNECTION_ID, createHarness, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const DAY = 24 * 60 * 60 * 1000

async function createToken(sourceId: string, attributes: Record<string, unknown> = {}) {
  return harness.call('POST', '/api/v1/connect/share-tokens', {
    json: {
      data: {
        attributes: { 'connection-id': CONNECTION_ID, 'source-id': sourceId, ...attributes },
      },
    },
  })
}

describe('Persona emulator: creating Connect share tokens', () => {
  it('shares a completed inquiry; the token lives 14 days by default', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const { status, body } = await createToken(inquiryId)
    expect(status).toBe(201)
    expect(body.data.id).toMatch(/^cnst_[A-Za-z0-9]{24}$/)
    expect(body.data.attributes).toMatchObject({
      status: 'created',
      direction: 'outbound',
      'pending-at': null,
      'redeemed-at': null,
      'failure-reason': null,
      'redeem-mode': null,
      'expires-at': new Date(harness.clock.now() + 14 * DAY).toISOString(),
    })
    expect(body.data.relationships).toMatchObject({
      connection: { data: { type: 'connect/connection', id: CONNECTION_ID } },
      source: { data: { type: 'inquiry', id: inquiryId } },
      destination: { data: null },
    })
    expect(body.data.relationships.creator.data).toMatchObject({ type: 'api-key' })
    expect((await harness.eventNames()).at(-1)).toBe('connect/share-token.outbound-created')
  })

  it('refuses a connection the organization does not have, naming the attribute only', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const { status, body } = await createToken(inquiryId, {
      'connection-id': 'cxn_TypoInTheHostsConfig01',
    })
    expect(status).toBe(422)
    expect(body.errors).toEqual([
      {
        title: 'Record invalid',
        details: 'connection-id is not a connection of this organization',
        source: { pointer: '/data/attributes/connection-id' },
      },
    ])
    expect(JSON.stringify(body)).not.toContain('TypoInTheHostsConfig')
    expect(await harness.eventNames()).not.toContain('connect/share-token.outbound-created')
  })

  it('shares with any connection the organization was given besides Coinflow’s', async () => {
    harness = createHarness({ persona: { connections: ['cxn_Other'] } })
    const inquiryId = await harness.completedInquiry()
    expect((await createToken(inquiryId, { 'connection-id': 'cxn_Other' })).status).toBe(201)
    expect((await createToken(inquiryId)).status).toBe(201)
  })

  it('shares an approved inquiry too', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    await harness.call('POST', `/api/v1/inquiries/${inquiryId}/approve`)
    expect((await createToken(inquiryId)).status).toBe(201)
  })

  it.each([
    [60, 201],
    [1_814_400, 201],
    [59, 422],
    [1_814_401, 422],
  ])('accepts expires-in-seconds between 60 and 1814400 (%i → %i)', async (seconds, expected) => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const { status, body } = await createToken(inquiryId, { 'expires-in-seconds': seconds })
    expect(status).toBe(expected)
    if (expected === 201) {
      expect(body.data.attributes['expires-at']).toBe(
        new Date(harness.clock.now() + seconds * 1000).toISOString(),
      )
    } else {
      expect(body.errors[0]).toEqual({
        title: 'Record invalid',
        details: 'expires-in-seconds must be between 60 and 1814400',
        source: { pointer: '/data/attributes/expires-in-seconds' },
      })
    }
  })

  it('refuses to share an inquiry the person has not finished (422)', async () => {
    harness = createHarness()
    const inquiryId = await harness.createInquiry()
    await harness.simulate(inquiryId, 'start_inquiry')
    const { status, body } = await createToken(inquiryId)
    expect(status).toBe(422)
    expect(body.errors[0]).toMatchObject({
      details: 'source-id must be a completed or approved inquiry (it is pending)',
      source: { pointer: '/data/attributes/source-id' },
    })
  })

  it.each([
    ['an unknown source with 422', { 'source-id': 'inq_Nope' }, 422],
    ['a connection id without its prefix with 422', { 'connection-id': 'coinflow' }, 422],
    ['a missing connection id with 400', { 'connection-id': undefined }, 400],
    ['a fractional lifetime with 400', { 'expires-in-seconds': 90.5 }, 400],
  ])('answers %s', async (_, attributes, expected) => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    expect((await createToken(inquiryId, attributes)).status).toBe(expected)
  })
})

describe('Persona emulator: redeeming, expiring and listing share tokens', () => {
  it('redeems asynchronously: 202 pending now, redeemed on the emulator clock', async () => {
    harness = createHarness()
    const token = (await createToken(await harness.completedInquiry())).body.data.id
    const redeemed = await harness.call('POST', `/api/v1/connect/share-tokens/${token}/redeem`)
    expect(redeemed.status).toBe(202)
    expect(redeemed.body.data.attributes).toMatchObject({
      status: 'pending',
      'pending-at': new Date(harness.clock.now()).toISOString(),
      'redeem-mode': 'clone',
    })
    await harness.advance(1_999)
    expect(
      (await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)).body.data.attributes
        .status,
    ).toBe('pending')
    await harness.advance(1)
    const done = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(done.body.data.attributes).toMatchObject({
      status: 'redeemed',
      'redeemed-at': new Date(harness.clock.now()).toISOString(),
    })
    expect((await harness.eventNames()).at(-1)).toBe('connect/share-token.outbound-redeemed')

    const again = await harness.call('POST', `/api/v1/connect/share-tokens/${token}/redeem`)
    expect(again.status).toBe(409)
    expect(again.body.errors[0].details).toBe('Share token cannot be redeemed with status redeemed')
  })

  it('hydrates a destination when one is given', async () => {
    harness = createHarness()
    const token = (await createToken(await harness.completedInquiry())).body.data.id
    const { body } = await harness.call('POST', `/api/v1/connect/share-tokens/${token}/redeem`, {
      json: { data: { attributes: { 'destination-id': 'inq_Destination' } } },
    })
    expect(body.data.attributes['redeem-mode']).toBe('hydrate')
    expect(body.data.relationships.destination.data).toEqual({
      type: 'inquiry',
      id: 'inq_Destination',
    })
  })

  it('fails the redemption when the shared inquiry was redacted meanwhile', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const token = (await createToken(inquiryId)).body.data.id
    await harness.call('DELETE', `/api/v1/inquiries/${inquiryId}`)
    await harness.call('POST', `/api/v1/connect/share-tokens/${token}/redeem`)
    await harness.advance(2_000)
    const { body } = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(body.data.attributes).toMatchObject({
      status: 'failed',
      'failure-reason': 'source_redacted',
    })
    expect(body.data.attributes['failed-at']).not.toBeNull()
  })

  it('expires a created token on request, and by itself when its time is up', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const first = (await createToken(inquiryId)).body.data.id
    const expired = await harness.call('POST', `/api/v1/connect/share-tokens/${first}/expire`)
    expect(expired.status).toBe(200)
    expect(expired.body.data.attributes.status).toBe('expired')
    expect(
      (await harness.call('POST', `/api/v1/connect/share-tokens/${first}/expire`)).status,
    ).toBe(409)
    expect(
      (await harness.call('POST', `/api/v1/connect/share-tokens/${first}/redeem`)).status,
    ).toBe(409)

    const second = (await createToken(inquiryId, { 'expires-in-seconds': 60 })).body.data.id
    await harness.advance(60_000)
    const later = await harness.call('GET', `/api/v1/connect/share-tokens/${second}`)
    expect(later.body.data.attributes.status).toBe('expired')
  })

  it('lists tokens newest first with filters', async () => {
    harness = createHarness({ persona: { connections: ['cxn_Other'] } })
    const inquiryId = await harness.completedInquiry()
    const a = (await createToken(inquiryId)).body.data.id
    const b = (await createToken(inquiryId, { 'connection-id': 'cxn_Other' })).body.data.id
    await harness.call('POST', `/api/v1/connect/share-tokens/${a}/expire`)
    const all = await harness.call('GET', '/api/v1/connect/share-tokens')
    expect(all.body.data.map((token: { id: string }) => token.id)).toEqual([b, a])
    expect(all.body.links).toEqual({ prev: null, next: null })
    const byConnection = await harness.call(
      'GET',
      `/api/v1/connect/share-tokens?filter[connection-id]=${CONNECTION_ID}`,
    )
    expect(byConnection.body.data.map((token: { id: string }) => token.id)).toEqual([a])
    const byStatus = await harness.call(
      'GET',
      '/api/v1/connect/share-tokens?filter[status]=created',
    )
    expect(byStatus.body.data.map((token: { id: string }) => token.id)).toEqual([b])
    const inbound = await harness.call(
      'GET',
      '/api/v1/connect/share-tokens?filter[direction]=inbound',
    )
    expect(inbound.body.data).toEqual([])
    const paged = await harness.call('GET', '/api/v1/connect/share-tokens?page[size]=1')
    expect(paged.body.links.next).toBe(
      `/api/v1/connect/share-tokens?page%5Bsize%5D=1&page%5Bafter%5D=${b}`,
    )
    expect(
      (await harness.call('GET', '/api/v1/connect/share-tokens?filter[status]=revoked')).status,
    ).toBe(400)
  })

  it('answers 404 for an unknown token', async () => {
    harness = createHarness()
    expect((await harness.call('GET', '/api/v1/connect/share-tokens/cnst_Nope')).status).toBe(404)
    expect(
      (await harness.call('POST', '/api/v1/connect/share-tokens/cnst_Nope/redeem')).status,
    ).toBe(404)
  })
})

describe('Persona emulator: redemption by the destination org (world.personaConnect)', () => {
  it('hands Coinflow the shared identity and redeems the token', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry({}, 'user-9')
    const token = (await createToken(inquiryId)).body.data.id
    const redemption = await harness.emulator.world.personaConnect.redeemShareToken(
      token,
      CONNECTION_ID,
    )
    expect(redemption).toEqual({
      ok: true,
      identity: sharedIdentityOf(sandboxPeople.usVerified, { inquiryId, referenceId: 'user-9' }),
    })
    const pending = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(pending.body.data.attributes).toMatchObject({
      status: 'pending',
      'redeem-mode': 'hydrate',
    })
    await harness.advance(2_000)
    const redeemed = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(redeemed.body.data.attributes.status).toBe('redeemed')
  })

  it('takes as long as the destination template’s checks, and stays pending while its inquiry lacks a field', async () => {
    harness = createHarness()
    const connect = harness.emulator.world.personaConnect
    const template = { requiredFields: ['addressStreet1', 'birthdate'] as const, runMs: 5_000 }
    const complete = (await createToken(await harness.completedInquiry())).body.data.id
    const noStreet = (
      await createToken(await harness.completedInquiry({ 'address-street-1': '' }, 'user-2'))
    ).body.data.id
    expect((await connect.redeemShareToken(complete, CONNECTION_ID, template)).ok).toBe(true)
    expect((await connect.redeemShareToken(noStreet, CONNECTION_ID, template)).ok).toBe(true)
    const status = async (id: string) =>
      (await harness.call('GET', `/api/v1/connect/share-tokens/${id}`)).body.data.attributes.status
    await harness.advance(4_999)
    expect(await status(complete)).toBe('pending')
    await harness.advance(1)
    expect(await status(complete)).toBe('redeemed')
    // Persona's Connect guide: the destination inquiry waits for the person, so does the token.
    await harness.advance(7 * DAY)
    expect(await status(noStreet)).toBe('pending')
    const redeemed = (await harness.webhooks()).filter(
      (webhook) => webhook.event.data.attributes.name === 'connect/share-token.outbound-redeemed',
    )
    expect(redeemed.map((webhook) => webhook.event.data.attributes.payload.data.id)).toEqual([
      complete,
    ])
  })

  it('redeems into an inquiry of the organization’s own at its template’s pace (destinationTemplates)', async () => {
    harness = createHarness({
      persona: {
        destinationTemplates: {
          itmpl_SlowChecks: { requiredFields: ['identificationNumberLast4'], runMs: 30_000 },
        },
      },
    })
    const token = (await createToken(await harness.completedInquiry())).body.data.id
    const destination = await harness.createInquiry({ 'inquiry-template-id': 'itmpl_SlowChecks' })
    const redeem = await harness.call('POST', `/api/v1/connect/share-tokens/${token}/redeem`, {
      json: { data: { attributes: { 'destination-id': destination } } },
    })
    expect(redeem.status).toBe(202)
    await harness.advance(29_999)
    const early = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(early.body.data.attributes.status).toBe('pending')
    await harness.advance(1)
    const done = await harness.call('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(done.body.data.attributes.status).toBe('redeemed')
  })

  it('reports unknown, foreign, expired and reused tokens', async () => {
    harness = createHarness()
    const connect = harness.emulator.world.personaConnect
    const inquiryId = await harness.completedInquiry()
    expect(await connect.redeemShareToken('cnst_Nope', CONNECTION_ID)).toEqual({
      ok: false,
      reason: 'not_found',
    })
    const token = (await createToken(inquiryId)).body.data.id
    expect(await connect.redeemShareToken(token, 'cxn_Other')).toEqual({
      ok: false,
      reason: 'wrong_connection',
    })
    expect((await connect.redeemShareToken(token, CONNECTION_ID)).ok).toBe(true)
    expect(await connect.redeemShareToken(token, CONNECTION_ID)).toEqual({
      ok: false,
      reason: 'already_redeemed',
    })
    const short = (await createToken(inquiryId, { 'expires-in-seconds': 60 })).body.data.id
    harness.clock.advance(60_000)
    expect(await connect.redeemShareToken(short, CONNECTION_ID)).toEqual({
      ok: false,
      reason: 'expired',
    })
  })
})
