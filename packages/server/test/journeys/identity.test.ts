import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createJourneyHarness, PERSONA_API_KEY, type JourneyHarness } from './harness'

let harness: JourneyHarness
afterEach(() => harness?.close())

const jane = { id: 'user-jane', email: 'jane@example.com' }

describe('journeys 1–3: from no inquiry to a verified, one-round-trip session', () => {
  it('walks a new user from unverified to approved, with each change pushed over SSE', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)

    const first = await harness.session(jane.id)
    expect(first.kyc).toMatchObject({ state: 'unverified', nextAction: 'start_inquiry' })
    expect(first.coinflow).toBeNull()
    expect(first.destinations).toEqual([])

    const events = await harness.openEvents(jane.id)
    expect((await events.next()).data).toMatchObject({
      type: 'kyc.updated',
      kyc: { state: 'unverified' },
    })

    const link = await harness.startInquiry(jane.id)
    expect(link).toMatchObject({ resumed: false, kyc: { state: 'in_progress' } })
    expect(link.inquiryId).toMatch(/^inq_/)
    expect((await events.next()).data).toMatchObject({ kyc: { state: 'in_progress' } })

    await harness.completeHostedFlow(link.oneTimeLink)
    await harness.advance(0)
    expect((await events.next()).data).toMatchObject({
      kyc: { state: 'sharing', nextAction: 'share' },
    })

    const shared = await harness.share(jane.id)
    expect(shared).toMatchObject({ state: 'pending', nextAction: 'wait' })
    const sharingOrPending = [(await events.next()).data, (await events.next()).data]
    expect(sharingOrPending.at(-1)).toMatchObject({ kyc: { state: 'pending' } })

    // Coinflow's review finishes and its KYC Success webhook reaches the BFF.
    await harness.advance(3_000)
    const approved = await events.next()
    expect(approved.data).toMatchObject({ type: 'kyc.updated', kyc: { state: 'approved' } })
    expect(approved.id).toMatch(/^\d+$/)
    await events.close()

    const before = harness.vendorRequests.length
    const verified = await harness.session(jane.id)
    expect(verified.kyc).toMatchObject({ state: 'approved', nextAction: 'none' })
    expect(verified.coinflow).toMatchObject({
      merchantId: 'shareflow-journeys',
      env: 'local',
      origin: 'http://localhost:3000',
    })
    const calls = harness.vendorRequests.slice(before)
    expect(calls.filter((c) => c.vendor === 'persona')).toEqual([])
    expect(calls.map((c) => `${c.method} ${c.path}`).sort()).toEqual([
      'GET /api/auth/session-key',
      'GET /api/withdraw',
    ])
  })

  it('costs Persona three calls for a first verification: finding none, the inquiry, the share token', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    await harness.session(jane.id)
    const link = await harness.startInquiry(jane.id)
    await harness.completeHostedFlow(link.oneTimeLink)
    // Persona's inquiry.completed webhook reaches the BFF: the share need not read the inquiry.
    await harness.advance(0)
    expect((await harness.share(jane.id)).state).toBe('pending')
    await harness.advance(3_000)
    expect((await harness.session(jane.id)).kyc.state).toBe('approved')
    const persona = harness.vendorRequests.filter((r) => r.vendor === 'persona')
    expect(persona.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/inquiries',
      'POST /api/v1/inquiries',
      'POST /api/v1/connect/share-tokens',
    ])
  })

  it('reads the inquiry again before sharing when Persona’s word on it is old', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    await harness.finishInquiry(jane.id)
    // A quarter of an hour later, Persona may have decided more than its last webhook said.
    harness.clock.advance(15 * 60_000)
    const reads = () => harness.count('persona', 'GET', /\/inquiries\/inq_\w+$/)
    const before = reads()
    expect((await harness.share(jane.id)).state).toBe('pending')
    expect(reads() - before).toBe(1)
    expect(harness.shareTokensCreated()).toBe(1)
  })

  it('reads the inquiry when Persona refuses the token for it, and shows where it stands', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    const link = await harness.finishInquiry(jane.id)
    // Persona declined the inquiry; its webhook has not arrived, so the record still says completed.
    harness.intercept((request) =>
      request.method === 'POST' && request.path.endsWith('/connect/share-tokens')
        ? Response.json({ errors: [{ title: 'Source is not shareable' }] }, { status: 422 })
        : undefined,
    )
    const declined = await harness.emulator.fetch(
      `https://api.withpersona.com/api/v1/inquiries/${link.inquiryId}/decline`,
      { method: 'POST', headers: { Authorization: `Bearer ${PERSONA_API_KEY}` } },
    )
    expect(declined.status).toBe(200)
    const shared = await harness.share(jane.id)
    expect(shared).toMatchObject({ state: 'rejected', nextAction: 'contact_support' })
    expect(harness.count('persona', 'GET', /\/inquiries\/inq_\w+$/)).toBe(1)
  })

  it('resumes an open inquiry instead of starting another', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    const first = await harness.startInquiry(jane.id)
    const again = await harness.startInquiry(jane.id)
    expect(again).toMatchObject({ inquiryId: first.inquiryId, resumed: true })
    expect(again.sessionToken).toBeTruthy()
    expect(again.oneTimeLink).not.toBe(first.oneTimeLink)
    expect(harness.count('persona', 'POST', /\/inquiries$/)).toBe(1)
  })

  it('shares exactly once when asked twice, concurrently and again afterwards', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    const link = await harness.startInquiry(jane.id)
    await harness.completeHostedFlow(link.oneTimeLink)
    await harness.advance(0)
    const answers = await Promise.all([harness.share(jane.id), harness.share(jane.id)])
    const later = await harness.share(jane.id)
    for (const status of [...answers, later]) {
      expect(['sharing', 'pending']).toContain(status.state)
    }
    expect(later.state).toBe('pending')
    expect(harness.count('persona', 'POST', /\/connect\/share-tokens$/)).toBe(1)
    expect(harness.count('coinflow', 'POST', /\/withdraw\/kyc\/share-token$/)).toBe(1)
  })

  it('shares exactly once when two BFF instances on one store are asked at the same moment', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    await harness.finishInquiry(jane.id)
    const other = harness.secondInstance()
    const answers = await Promise.all([
      harness.as(jane.id).post('/kyc/share'),
      other.post(jane.id, '/kyc/share'),
      harness.as(jane.id).post('/kyc/share'),
      other.post(jane.id, '/kyc/share'),
    ])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(harness.shareTokensCreated()).toBe(1)
    expect(harness.registrationsAccepted()).toBe(1)
  })

  it('finds an inquiry the user completed elsewhere by reference id and shares it', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    const link = await harness.startInquiry(jane.id)
    await harness.completeHostedFlow(link.oneTimeLink)
    // Webhook lost: the BFF learns of completion by asking Persona once the record is stale.
    harness.clock.advance(10_000)
    const status = await harness.session(jane.id)
    expect(status.kyc).toMatchObject({ state: 'sharing', nextAction: 'share' })
    expect((await harness.share(jane.id)).state).toBe('pending')
  })

  it('refuses to share before the inquiry is finished, in the envelope', async () => {
    harness = createJourneyHarness()
    harness.signIn(jane)
    await harness.startInquiry(jane.id)
    const response = await harness.as(jane.id).post('/kyc/share')
    expect(response.status).toBe(403)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('kyc_required')
  })
})
