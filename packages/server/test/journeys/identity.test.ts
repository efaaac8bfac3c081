import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createJourneyHarness, type JourneyHarness } from './harness'

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
