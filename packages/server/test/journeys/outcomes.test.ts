import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { magicLastNames } from '../../src/emulator'
import { createMemoryStore } from '../../src/store/memory'
import { crashOnceOn, SimulatedCrash } from './crash'
import { createJourneyHarness, goodIdentity, PERSONA_API_KEY, type JourneyHarness } from './harness'

let harness: JourneyHarness
afterEach(() => harness?.close())

const sam = { id: 'user-sam', email: 'sam@example.com' }

const shareTokensCreated = (h: JourneyHarness) =>
  h.count('persona', 'POST', /\/connect\/share-tokens$/)
const registrations = (h: JourneyHarness) =>
  h.count('coinflow', 'POST', /\/withdraw\/kyc\/share-token$/)

/** Calls Persona's API directly, as the vendor's dashboard or sandbox tooling would. */
async function persona(h: JourneyHarness, method: string, path: string, body?: unknown) {
  return h.emulator.fetch(`https://api.withpersona.com/api/v1${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${PERSONA_API_KEY}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

describe('journey 4: Coinflow needs more information', () => {
  it('shows the 451 verification link, then approval once the user finishes Coinflow’s page', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    expect(
      (
        await harness.verifyAndShare(sam.id, {
          ...goodIdentity,
          'name-last': magicLastNames.noAddress,
        })
      ).state,
    ).toBe('pending')
    await harness.advance(3_000)
    // Coinflow sends no webhook for "needs more"; a stale /session asks it.
    harness.clock.advance(5_000)
    const needsMore = await harness.session(sam.id)
    expect(needsMore.kyc).toMatchObject({
      state: 'needs_more_info',
      nextAction: 'open_verification_link',
    })
    const link = needsMore.kyc.verificationLink!
    expect(new URL(link).origin).toBe('http://localhost:3000')
    expect(needsMore.coinflow).toBeNull()
    // Coinflow's inquiry lacks the address its template needs, so Persona's token is stuck in
    // pending (Connect guide): the BFF follows Coinflow's answer and never waits on the token.
    const tokenId = harness.vendorRequests.find(
      (r) => r.method === 'POST' && r.path.endsWith('/connect/share-tokens') && r.status === 201,
    )?.response as { data: { id: string } }
    const token = await persona(harness, 'GET', `/connect/share-tokens/${tokenId.data.id}`)
    expect(
      ((await token.json()) as { data: { attributes: { status: string } } }).data,
    ).toMatchObject({ attributes: { status: 'pending' } })

    const events = await harness.openEvents(sam.id)
    expect((await events.next()).data).toMatchObject({ kyc: { state: 'needs_more_info' } })
    const submitted = await harness.emulator.fetch(link, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        firstName: 'Sam',
        lastName: 'Noaddress',
        dob: '1985-07-01',
        address1: '9 Oak Ave',
        city: 'Boston',
        state: 'Massachusetts',
        zip: '02108',
        country: 'US',
        ssnLast4: '4321',
      }),
    })
    expect(submitted.status).toBeLessThan(400)
    await harness.advance(0)
    expect((await events.next()).data).toMatchObject({ kyc: { state: 'approved' } })
    expect((await harness.session(sam.id)).coinflow).not.toBeNull()
  })
})

describe('journey 5: rejected, expired and failed end clearly', () => {
  it('ends rejected, with support as the next action, when Persona declines the inquiry', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    await harness.finishInquiry(sam.id, { ...goodIdentity, 'name-last': magicLastNames.decline })
    await harness.advance(1_000)
    const status = (await harness.session(sam.id)).kyc
    expect(status).toMatchObject({ state: 'rejected', nextAction: 'contact_support' })
    expect(status.reason).toBe('inquiry_declined')
    const again = await harness.as(sam.id).post('/kyc/inquiry')
    expect(again.status).toBe(403)
    expect(ErrorEnvelope.parse(await again.json()).error.code).toBe('forbidden')
  })

  it('ends rejected when Coinflow rejects the shared identity (KYC Failure webhook)', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    await harness.verifyAndShare(sam.id, {
      ...goodIdentity,
      'identification-number': '123-45-9999',
      'address-postal-code': '99999',
    })
    const events = await harness.openEvents(sam.id)
    await events.next()
    await harness.advance(3_000)
    expect((await events.next()).data).toMatchObject({
      kyc: { state: 'rejected', nextAction: 'contact_support' },
    })
    // Rejected is settled: no vendor is asked again, however stale.
    harness.clock.advance(60_000)
    const before = harness.vendorRequests.length
    expect((await harness.session(sam.id)).kyc.state).toBe('rejected')
    expect(harness.vendorRequests.length).toBe(before)
  })

  it('offers a new inquiry after a failed one', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    const first = await harness.finishInquiry(sam.id, {
      ...goodIdentity,
      'name-last': magicLastNames.fail,
    })
    expect((await harness.session(sam.id)).kyc).toMatchObject({
      state: 'inquiry_required',
      nextAction: 'start_inquiry',
    })
    const second = await harness.startInquiry(sam.id)
    expect(second.resumed).toBe(false)
    expect(second.inquiryId).not.toBe(first.inquiryId)
  })

  it('resumes an expired inquiry where the user left off, then shares it', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    const first = await harness.finishInquiry(sam.id, {
      ...goodIdentity,
      'name-last': magicLastNames.expire,
    })
    expect((await harness.session(sam.id)).kyc).toMatchObject({
      state: 'expired',
      nextAction: 'resume_inquiry',
    })
    const resumed = await harness.startInquiry(sam.id)
    expect(resumed).toMatchObject({ inquiryId: first.inquiryId, resumed: true })
    expect(resumed.sessionToken).toBeTruthy()
    await harness.completeHostedFlow(resumed.oneTimeLink)
    await harness.advance(0)
    expect((await harness.share(sam.id)).state).toBe('pending')
  })

  it('starts a new inquiry when the open one cannot be resumed (stuck)', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    const first = await harness.startInquiry(sam.id)
    // Persona will not resume a redacted inquiry: the user would be stuck on it forever.
    expect((await persona(harness, 'DELETE', `/inquiries/${first.inquiryId}`)).status).toBe(200)
    const next = await harness.startInquiry(sam.id)
    expect(next.resumed).toBe(false)
    expect(next.inquiryId).not.toBe(first.inquiryId)
    await harness.completeHostedFlow(next.oneTimeLink)
    await harness.advance(0)
    expect((await harness.share(sam.id)).state).toBe('pending')
  })
})

describe('the share journal survives a crash', () => {
  it('creates one share token and one registration after a crash between the two calls', async () => {
    const base = createMemoryStore()
    const store = crashOnceOn(
      base,
      (key, value) => key.startsWith('kyc:user:') && value.includes('"registering"'),
    )
    harness = createJourneyHarness({ store })
    harness.signIn(sam)
    await harness.finishInquiry(sam.id)

    const crashed = await harness.as(sam.id).post('/kyc/share')
    expect(store.crashed()).toBe(true)
    expect(crashed.status).toBe(500)
    expect(ErrorEnvelope.parse(await crashed.json()).error.code).toBe('internal')
    expect(shareTokensCreated(harness)).toBe(1)
    expect(registrations(harness)).toBe(0)
    expect(harness.logger.lines.join('\n')).toContain(SimulatedCrash.name)

    // Until the crashed worker's lease runs out the gate waits; then it may share again.
    expect((await harness.session(sam.id)).kyc).toMatchObject({
      state: 'sharing',
      nextAction: 'wait',
    })
    harness.clock.advance(61_000)
    expect((await harness.session(sam.id)).kyc).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })

    expect((await harness.share(sam.id)).state).toBe('pending')
    await harness.advance(3_000)
    expect((await harness.session(sam.id)).kyc.state).toBe('approved')
    expect(shareTokensCreated(harness)).toBe(1)
    expect(registrations(harness)).toBe(1)
    // The retry re-used the token the crashed attempt created.
    const [token] = harness.vendorRequests.filter((r) =>
      r.path.endsWith('/withdraw/kyc/share-token'),
    )
    expect(token?.body).toMatchObject({ vendor: 'persona', email: sam.email })
  })

  it('does not register twice when the crash came after Coinflow registered the user', async () => {
    const store = crashOnceOn(
      createMemoryStore(),
      (key, value) => key.startsWith('kyc:user:') && value.includes('"step":"done"'),
    )
    harness = createJourneyHarness({ store })
    harness.signIn(sam)
    await harness.finishInquiry(sam.id)
    expect((await harness.as(sam.id).post('/kyc/share')).status).toBe(500)
    expect(registrations(harness)).toBe(1)

    harness.clock.advance(61_000)
    expect((await harness.share(sam.id)).state).toMatch(/pending|approved/)
    expect(registrations(harness)).toBe(1)
    expect(shareTokensCreated(harness)).toBe(1)
  })

  it('shares again with a new token when the first one expired before Coinflow redeemed it', async () => {
    const store = crashOnceOn(
      createMemoryStore(),
      (key, value) => key.startsWith('kyc:user:') && value.includes('"registering"'),
    )
    harness = createJourneyHarness({ store, app: { kyc: { shareTokenExpiresInSeconds: 60 } } })
    harness.signIn(sam)
    await harness.finishInquiry(sam.id)
    expect((await harness.as(sam.id).post('/kyc/share')).status).toBe(500)

    harness.clock.advance(120_000)
    const expired = await harness.share(sam.id)
    expect(expired).toMatchObject({ state: 'expired', nextAction: 'share' })
    expect(expired.reason).toBe('coinflow_expired')

    expect((await harness.share(sam.id)).state).toBe('pending')
    await harness.advance(3_000)
    expect((await harness.session(sam.id)).kyc.state).toBe('approved')
    expect(shareTokensCreated(harness)).toBe(2)
  })
})

describe('inconclusive checks are escalated', () => {
  it('marks the inquiry for review when Coinflow will not accept it, and shares again once approved', async () => {
    harness = createJourneyHarness()
    harness.signIn(sam)
    const refuse = harness.intercept((request) =>
      request.path.endsWith('/withdraw/kyc/share-token')
        ? Response.json(
            { details: 'The applicant linked to this share token is not approved' },
            { status: 400 },
          )
        : undefined,
    )
    const link = await harness.finishInquiry(sam.id)
    const status = await harness.share(sam.id)
    expect(status).toMatchObject({ state: 'pending', nextAction: 'wait' })
    expect(status.reason).toBe('in_review')
    expect(harness.count('persona', 'POST', /\/mark-for-review$/)).toBe(1)
    refuse()

    // A reviewer approves the inquiry in Persona; the webhook offers the share again.
    const inquiryId = link.inquiryId
    expect((await persona(harness, 'POST', `/inquiries/${inquiryId}/approve`)).status).toBe(200)
    await harness.advance(0)
    expect((await harness.session(sam.id)).kyc).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })
    expect((await harness.share(sam.id)).state).toBe('pending')
    expect(shareTokensCreated(harness)).toBe(2)
  })
})
