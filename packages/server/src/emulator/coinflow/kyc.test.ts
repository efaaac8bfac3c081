import { describe, expect, it } from 'vitest'
import {
  asUser,
  createHarness,
  sharedUsIdentity,
  expectSignedByCoinflow,
  type Harness,
  usInfo,
} from './test-harness'

const shareToken = (harness: Harness, identity = sharedUsIdentity()) =>
  harness.call('POST', '/api/withdraw/kyc/share-token', {
    headers: asUser('user-1'),
    json: {
      vendor: 'persona',
      shareToken: harness.persona.share(identity),
      email: 'jane@example.com',
    },
  })

describe('Coinflow emulator: register a US user (POST /withdraw/kyc)', () => {
  it('approves a US person at once and raises KYC Created then KYC Success', async () => {
    const harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo() },
    })
    expect(status).toBe(200)
    expect(body.withdrawer).toMatchObject({
      email: 'jane@example.com',
      verification: { status: 'approved' },
      user: true,
      country: 'US',
    })
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual([
      'KYC Created',
      'KYC Success',
    ])
    const withdrawer = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(withdrawer.status).toBe(200)
    expect(withdrawer.body.withdrawer.bankAccounts).toEqual([])
  })

  it('keeps only the newest webhookLogSize events in its webhook log', async () => {
    const harness = createHarness({ webhookLogSize: 3 })
    for (const userId of ['user-1', 'user-2']) {
      await harness.call('POST', '/api/withdraw/kyc', {
        headers: asUser(userId),
        json: { info: usInfo() },
      })
    }
    // Four events were raised (and all four delivered); the log keeps the last three.
    expect(harness.deliveries).toHaveLength(4)
    expect(harness.coinflow.state.webhookLog.map((event) => event.eventType)).toEqual([
      'KYC Success',
      'KYC Created',
      'KYC Success',
    ])
  })

  it('rejects the sandbox values SSN 9999 with zip 99999 (451, KYC Failure)', async () => {
    const harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo({ ssn: '9999', zip: '99999' }) },
    })
    expect(status).toBe(451)
    expect(body.verification.status).toBe('rejected')
    expect(body.rejectionReasons).toEqual(['Identity could not be verified'])
    expect(body.verificationLink).toBeUndefined()
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('KYC Failure')
    await expectSignedByCoinflow(harness, harness.deliveries.at(-1)!)
    const later = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(later.status).toBe(451)
    expect(later.body.verification.status).toBe('rejected')
  })

  it('asks for more (451 + verificationLink) when the database check is inconclusive (SSN 0000)', async () => {
    const harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo({ ssn: '0000' }), redirectLink: 'https://host.test/back' },
    })
    expect(status).toBe(451)
    expect(body.verification.status).toBe('pending')
    expect(body.verificationLink).toMatch(/^http:\/\/localhost:3000\/verification\/\w+$/)
    expect(body.redirectLink).toBe('https://host.test/back')
  })

  it('always sends a non-US person to document verification (451 + link)', async () => {
    const harness = createHarness({ uiOrigin: 'https://ui.coinflow.test/' })
    const { status, body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-2'),
      json: { email: 'ana@example.com', country: 'BR' },
    })
    expect(status).toBe(451)
    expect(body.verification).toMatchObject({ status: 'pending', vendor: 'sumsub_docv' })
    expect(body.verificationLink).toMatch(/^https:\/\/ui\.coinflow\.test\/verification\//)
    expect(body.withdrawer.country).toBe('BR')
  })

  it('answers 409 when the user is already registered', async () => {
    const harness = createHarness()
    await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo() },
    })
    const again = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo() },
    })
    expect(again.status).toBe(409)
    expect(again.body.details).toMatch(/already exists/)
  })

  it.each([
    ['malformed JSON', { raw: '{"info":' }, /valid JSON/],
    ['a wrong type', { json: { info: { ...usInfo(), zip: 78701 } } }, /^info\.zip: /],
    ['a missing field', { json: { info: { ...usInfo(), ssn: undefined } } }, /^info\.ssn: /],
    ['a bad e-mail', { json: { email: 'not-an-email', country: 'BR' } }, /^email: /],
    ['a bad country', { json: { email: 'a@b.co', country: 'Brazil' } }, /^country: /],
  ])('answers 400 with details for %s', async (_, request, details) => {
    const harness = createHarness()
    const { status, body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      ...request,
    })
    expect(status).toBe(400)
    expect(body.details).toMatch(details)
    expect(harness.coinflow.state.withdrawers.size).toBe(0)
  })

  it('never echoes the submitted identity in an error', async () => {
    const harness = createHarness()
    const { body } = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: usInfo({ ssn: '123456' }) },
    })
    expect(JSON.stringify(body)).not.toContain('123456')
  })
})

describe('Coinflow emulator: register via a Persona share token', () => {
  it('registers as pending, then approves after the review and raises KYC Success', async () => {
    const harness = createHarness()
    const registered = await shareToken(harness)
    expect(registered.status).toBe(200)
    expect(registered.body.withdrawer.verification).toMatchObject({
      status: 'pending',
      vendor: 'persona',
      shareTokenStatus: 'pending',
    })
    const reviewing = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(reviewing.status).toBe(451)
    expect(reviewing.body.verificationLink).toBeUndefined()

    await harness.advance(3_000)
    const approved = await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })
    expect(approved.status).toBe(200)
    expect(approved.body.withdrawer.verification).toMatchObject({
      status: 'approved',
      shareTokenStatus: 'redeemed',
    })
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual([
      'KYC Created',
      'KYC Success',
    ])
  })

  it('signs KYC webhooks with Coinflow-Signature and the plain validation key', async () => {
    const harness = createHarness()
    await shareToken(harness)
    await harness.advance(3_000)
    const success = harness.deliveries.at(-1)!
    await expectSignedByCoinflow(harness, success)
    expect(JSON.parse(success.body)).toEqual({
      eventType: 'KYC Success',
      category: 'KYC',
      created: new Date(harness.clock.now()).toISOString(),
      data: { wallet: 'shareflow-emulatorʬuser-1', blockchain: 'user', email: 'jane@example.com' },
    })
  })

  it('rejects the shared identity with the sandbox values after the review (KYC Failure)', async () => {
    const harness = createHarness()
    await shareToken(
      harness,
      sharedUsIdentity({ identificationNumberLast4: '9999', addressPostalCode: '99999' }),
    )
    await harness.advance(3_000)
    const { status, body } = await harness.call('GET', '/api/withdraw', {
      headers: asUser('user-1'),
    })
    expect(status).toBe(451)
    expect(body.verification.status).toBe('rejected')
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('KYC Failure')
  })

  it('asks for the details a shared identity lacks (no address) through the verification link', async () => {
    const harness = createHarness()
    await shareToken(
      harness,
      sharedUsIdentity({ addressStreet1: null, addressCity: null, addressPostalCode: null }),
    )
    await harness.advance(3_000)
    const { status, body } = await harness.call(
      'GET',
      '/api/withdraw?redirectLink=https%3A%2F%2Fhost.test%2Fdone',
      {
        headers: asUser('user-1'),
      },
    )
    expect(status).toBe(451)
    // Coinflow's inquiry lacks what its template needs, so Persona has not redeemed the token.
    expect(body.verification).toMatchObject({ status: 'pending', shareTokenStatus: 'pending' })
    expect(body.verificationLink).toMatch(/\/verification\//)
    expect(body.redirectLink).toBe('https://host.test/done')
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual(['KYC Created'])
  })

  it('sends a non-US shared identity to document verification', async () => {
    const harness = createHarness()
    await shareToken(harness, sharedUsIdentity({ addressCountryCode: 'DE' }))
    await harness.advance(3_000)
    const { status, body } = await harness.call('GET', '/api/withdraw', {
      headers: asUser('user-1'),
    })
    expect(status).toBe(451)
    expect(body.verificationLink).toBeDefined()
  })

  it.each([
    ['created', /not approved/],
    ['pending', /not approved/],
    ['declined', /not approved/],
    ['failed', /not approved/],
  ])('answers 400 when the shared inquiry is %s', async (inquiryStatus, details) => {
    const harness = createHarness()
    const { status, body } = await shareToken(harness, sharedUsIdentity({ inquiryStatus }))
    expect(status).toBe(400)
    expect(body.details).toMatch(details)
    expect(harness.coinflow.state.withdrawers.size).toBe(0)
  })

  it('answers 400 for an unknown, expired or already redeemed share token', async () => {
    const harness = createHarness()
    const redeem = (token: string, userId: string) =>
      harness.call('POST', '/api/withdraw/kyc/share-token', {
        headers: asUser(userId),
        json: { vendor: 'persona', shareToken: token, email: 'jane@example.com' },
      })
    const unknown = await redeem('cnst_Nope', 'user-1')
    expect(unknown).toMatchObject({ status: 400, body: { details: 'Share token not found' } })

    const expiring = harness.persona.share(sharedUsIdentity())
    harness.persona.expire(expiring)
    expect((await redeem(expiring, 'user-1')).body.details).toBe('Share token is expired')

    const once = harness.persona.share(sharedUsIdentity())
    expect((await redeem(once, 'user-1')).status).toBe(200)
    const twice = await redeem(once, 'user-2')
    expect(twice).toMatchObject({
      status: 400,
      body: { details: 'Share token has already been redeemed' },
    })
  })

  it('answers 409 while a registration is under review or approved, but lets a rejected user share again', async () => {
    const harness = createHarness()
    await shareToken(
      harness,
      sharedUsIdentity({ identificationNumberLast4: '9999', addressPostalCode: '99999' }),
    )
    expect((await shareToken(harness)).status).toBe(409)
    await harness.advance(3_000)
    const retry = await shareToken(harness)
    expect(retry.status).toBe(200)
    expect(retry.body.withdrawer.verification.status).toBe('pending')
    await harness.advance(3_000)
    expect((await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })).status).toBe(
      200,
    )
    expect((await shareToken(harness)).status).toBe(409)
  })

  it('refuses other vendors and bodies the spec would refuse', async () => {
    const harness = createHarness()
    const sumsub = await harness.call('POST', '/api/withdraw/kyc/share-token', {
      headers: asUser('user-1'),
      json: { vendor: 'sumsub', shareToken: 'x', country: 'DE', email: 'a@b.co' },
    })
    expect(sumsub.status).toBe(400)
    const missing = await harness.call('POST', '/api/withdraw/kyc/share-token', {
      headers: asUser('user-1'),
      json: { vendor: 'persona', email: 'a@b.co' },
    })
    expect(missing.status).toBe(400)
    expect(missing.body.details).toMatch(/^shareToken: /)
  })
})

describe('Coinflow emulator: GET /withdraw', () => {
  it('answers 401 for a user who never registered', async () => {
    const harness = createHarness()
    for (const path of ['/api/withdraw', '/api/withdraw/']) {
      const { status, body } = await harness.call('GET', path, { headers: asUser('nobody') })
      expect(status).toBe(401)
      expect(body.details).toMatch(/No withdrawer/)
    }
  })
})
