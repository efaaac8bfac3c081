import { describe, expect, it } from 'vitest'
import { createHarness as createPersonaHarness } from '../persona/test-harness'
import { COINFLOW_PERSONA_CONNECTION_ID } from './index'
import { asUser, requestCoinflow } from './test-harness'

/**
 * The journey across both emulators in one world: a person completes a Persona inquiry, the host
 * shares it with Coinflow's Connect connection, Coinflow redeems the token and approves the
 * withdrawer. Persona answers are checked against Persona's spec, Coinflow's against Coinflow's.
 */
type PersonaHarness = ReturnType<typeof createPersonaHarness>

/** Persona `POST /connect/share-tokens` for `inquiryId`, by default to Coinflow's connection. */
const createShareToken = (
  persona: PersonaHarness,
  inquiryId: string,
  connectionId = COINFLOW_PERSONA_CONNECTION_ID,
) =>
  persona.call('POST', '/api/v1/connect/share-tokens', {
    headers: { 'Idempotency-Key': `share-${inquiryId}-${connectionId}` },
    json: { data: { attributes: { 'connection-id': connectionId, 'source-id': inquiryId } } },
  })

async function shareWithCoinflow(persona: PersonaHarness, inquiryId: string) {
  const token = await createShareToken(persona, inquiryId)
  expect(token.status).toBe(201)
  const shareToken = token.body.data.id as string
  return { shareToken, registered: await register(persona, shareToken) }
}

const register = (persona: PersonaHarness, shareToken: string) =>
  requestCoinflow(persona.emulator.coinflow, 'POST', '/api/withdraw/kyc/share-token', {
    headers: asUser('user-1'),
    json: { vendor: 'persona', shareToken, email: 'jane@example.com' },
  })

const withdrawer = (persona: PersonaHarness) =>
  requestCoinflow(persona.emulator.coinflow, 'GET', '/api/withdraw', {
    headers: asUser('user-1'),
  })

describe('Persona share token → Coinflow registration (both emulators)', () => {
  it('redeems the token of a completed inquiry and approves the withdrawer', async () => {
    const persona = createPersonaHarness()
    const inquiryId = await persona.completedInquiry()
    const { shareToken, registered } = await shareWithCoinflow(persona, inquiryId)
    expect(registered.status).toBe(200)
    expect(registered.body.withdrawer.verification).toMatchObject({
      status: 'pending',
      vendor: 'persona',
      shareToken,
    })

    await persona.advance(5_000)
    const token = await persona.call('GET', `/api/v1/connect/share-tokens/${shareToken}`)
    expect(token.body.data.attributes.status).toBe('redeemed')
    const approved = await withdrawer(persona)
    expect(approved.status).toBe(200)
    expect(approved.body.withdrawer).toMatchObject({
      email: 'jane@example.com',
      country: 'US',
      verification: { status: 'approved', shareTokenStatus: 'redeemed' },
    })
  })

  it('refuses with 400 a token whose inquiry was declined after it was shared', async () => {
    const persona = createPersonaHarness()
    const inquiryId = await persona.completedInquiry()
    const token = await createShareToken(persona, inquiryId)
    expect(token.status).toBe(201)
    expect((await persona.call('POST', `/api/v1/inquiries/${inquiryId}/decline`)).status).toBe(200)
    const registered = await register(persona, token.body.data.id)
    expect(registered.status).toBe(400)
    expect(registered.body.details).toMatch(/not approved/)
    expect((await withdrawer(persona)).status).toBe(401)
  })

  it('refuses with 400 a token whose inquiry went back to review, unfinished', async () => {
    const persona = createPersonaHarness()
    const inquiryId = await persona.completedInquiry()
    const token = await createShareToken(persona, inquiryId)
    await persona.call('POST', `/api/v1/inquiries/${inquiryId}/mark-for-review`)
    const registered = await register(persona, token.body.data.id)
    expect(registered.status).toBe(400)
    expect(registered.body.details).toMatch(/incomplete or failed/)
  })

  it('never gets a token for an inquiry the person did not finish (Persona refuses to share it)', async () => {
    const persona = createPersonaHarness()
    const inquiryId = await persona.createInquiry({ 'reference-id': 'user-1' })
    await persona.simulate(inquiryId, 'start_inquiry')
    const token = await createShareToken(persona, inquiryId)
    expect(token.status).toBe(422)
  })

  it('refuses a token shared with another connection', async () => {
    const persona = createPersonaHarness({
      persona: { connections: ['cxn_SomeoneElse000000000001'] },
    })
    const inquiryId = await persona.completedInquiry()
    const token = await createShareToken(persona, inquiryId, 'cxn_SomeoneElse000000000001')
    const registered = await register(persona, token.body.data.id)
    expect(registered.status).toBe(400)
    expect(registered.body.details).toMatch(/connection/)
  })

  it('asks for more (451 + verificationLink) when the shared inquiry has no street address', async () => {
    const persona = createPersonaHarness()
    const inquiryId = await persona.completedInquiry({
      'address-street-1': '',
      'address-city': '',
      'address-postal-code': '',
    })
    const { registered } = await shareWithCoinflow(persona, inquiryId)
    expect(registered.status).toBe(200)
    await persona.advance(5_000)
    const needsMore = await withdrawer(persona)
    expect(needsMore.status).toBe(451)
    expect(needsMore.body.verificationLink).toMatch(/^http:\/\/localhost:3000\/verification\//)
  })
})
