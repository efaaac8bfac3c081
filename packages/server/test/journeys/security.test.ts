import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import {
  COINFLOW_API_KEY,
  COINFLOW_WEBHOOK_KEY,
  createJourneyHarness,
  goodIdentity,
  PERSONA_API_KEY,
  PERSONA_WEBHOOK_SECRET,
  type JourneyHarness,
} from './harness'

let harness: JourneyHarness
afterEach(() => harness?.close())

const alice = { id: 'user-alice', email: 'alice.private@example.com' }
const bob = { id: 'user-bob', email: 'bob.private@example.com' }

describe('user isolation', () => {
  it('shows each user only their own state and events', async () => {
    harness = createJourneyHarness()
    harness.signIn(alice)
    harness.signIn(bob)
    const bobEvents = await harness.openEvents(bob.id)
    expect((await bobEvents.next()).data).toMatchObject({ kyc: { state: 'unverified' } })

    await harness.verifyAndShare(alice.id)
    await harness.advance(3_000)
    expect((await harness.session(alice.id)).kyc.state).toBe('approved')

    expect(await bobEvents.quiet(150)).toBe(true)
    const bobSession = await harness.session(bob.id)
    expect(bobSession).toMatchObject({
      user: { id: bob.id },
      kyc: { state: 'unverified' },
      coinflow: null,
      destinations: [],
    })
  })

  it('never follows an inquiry Persona files under another user, even if the host names it', async () => {
    harness = createJourneyHarness()
    harness.signIn(alice)
    const link = await harness.finishInquiry(alice.id)
    // A host bug (or a tampered host record) points Bob at Alice's completed inquiry.
    harness.signIn({ ...bob, personaInquiryId: link.inquiryId })
    expect((await harness.session(bob.id)).kyc.state).toBe('unverified')
    const share = await harness.as(bob.id).post('/kyc/share')
    expect(share.status).toBe(403)
    expect(ErrorEnvelope.parse(await share.json()).error.code).toBe('kyc_required')
    expect(harness.count('persona', 'POST', /\/connect\/share-tokens$/)).toBe(0)
  })

  it('takes the user only from the host, never from the request', async () => {
    harness = createJourneyHarness()
    harness.signIn(alice)
    await harness.finishInquiry(alice.id)
    for (const attempt of [
      () => harness.as(null).post('/kyc/share', { userId: alice.id }),
      () => harness.as(null).get(`/session?userId=${alice.id}`),
      () => harness.as(null).get('/session', { headers: { 'x-coinflow-auth-user-id': alice.id } }),
    ]) {
      const response = await attempt()
      expect(response.status).toBe(401)
      expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('unauthenticated')
    }
    harness.signIn(bob)
    const smuggled = await harness.as(bob.id).post('/kyc/share', { userId: alice.id })
    expect(smuggled.status).toBe(400)
    expect(harness.count('persona', 'POST', /\/connect\/share-tokens$/)).toBe(0)
  })
})

describe('secrets and personal data', () => {
  it('keeps keys, secrets and identity data out of every log line and response', async () => {
    harness = createJourneyHarness()
    harness.signIn(alice)
    const responses: string[] = []
    const record = async (response: Response) => {
      responses.push(await response.clone().text())
      return response
    }
    await record(await harness.as(alice.id).get('/session'))
    const linkResponse = await record(await harness.as(alice.id).post('/kyc/inquiry'))
    const link = (await linkResponse.json()) as { oneTimeLink: string; sessionToken: string }
    await harness.completeHostedFlow(link.oneTimeLink, goodIdentity)
    await harness.advance(0)
    await record(await harness.as(alice.id).post('/kyc/share'))
    await harness.advance(3_000)
    const sessionResponse = await record(await harness.as(alice.id).get('/session'))
    const session = (await sessionResponse.json()) as { coinflow: { sessionKey: string } }
    await record(await harness.as(alice.id).post('/kyc/share', '{"broken":'))
    await record(await harness.as(null).get('/session'))
    await record(await harness.as(alice.id).get('/nowhere'))

    const shareTokens = harness.vendorRequests
      .filter((r) => r.path.endsWith('/withdraw/kyc/share-token'))
      .map((r) => (r.body as { shareToken: string }).shareToken)
    expect(shareTokens).toHaveLength(1)

    const neverAnywhere = [
      PERSONA_API_KEY,
      PERSONA_WEBHOOK_SECRET,
      COINFLOW_API_KEY,
      COINFLOW_WEBHOOK_KEY,
      alice.email,
      goodIdentity['identification-number'],
      goodIdentity.birthdate,
      goodIdentity['address-street-1'],
      ...shareTokens,
    ]
    // What the browser legitimately receives (and so must only ever go to it).
    const browserOnly = [link.oneTimeLink, link.sessionToken, session.coinflow.sessionKey]

    const log = harness.logger.lines.join('\n')
    expect(harness.logger.lines.length).toBeGreaterThan(10)
    for (const value of [...neverAnywhere, ...browserOnly]) {
      expect(log, `log contains ${value.slice(0, 12)}…`).not.toContain(value)
    }
    const wire = responses.join('\n')
    for (const value of neverAnywhere) {
      expect(wire, `a response contains ${value.slice(0, 12)}…`).not.toContain(value)
    }
  })
})
