import { afterEach, describe, expect, it } from 'vitest'
import { createJourneyHarness } from '../../test/journeys/harness'
import { createShareflowServices } from '../services'
import { silentLogger } from '../logger'

const jane = { id: 'user-jane', email: 'jane@example.com', country: 'US' }
const omar = { id: 'user-omar', email: 'omar@example.com', country: 'US' }

let harness: ReturnType<typeof createJourneyHarness>

afterEach(() => harness?.close())

/** Signs `user` in and takes them through Persona and Coinflow's review to approved. */
async function approve(user: typeof jane) {
  harness.signIn(user)
  await harness.verifyAndShare(user.id)
  await harness.advance(3_000)
  const session = await harness.session(user.id)
  expect(session.kyc.state).toBe('approved')
  return session
}

const sessionKeyCalls = () => harness.count('coinflow', 'GET', /\/auth\/session-key$/)

/** The user a Coinflow session key was minted for, from its JWT payload. */
const customerOf = (key: string) =>
  (
    JSON.parse(atob(key.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      customerId: string
    }
  ).customerId

describe('GET /session for a verified user', () => {
  it('hands out the same session key again within 20 minutes, minting it once', async () => {
    harness = createJourneyHarness()
    const first = await approve(jane)
    const minted = sessionKeyCalls()
    expect(minted).toBe(1)

    await harness.advance(60_000)
    const again = await harness.session(jane.id)
    await harness.advance(19 * 60_000 - 60_000 - 1)
    const later = await harness.session(jane.id)

    expect(sessionKeyCalls()).toBe(minted)
    expect(again.coinflow?.sessionKey).toBe(first.coinflow?.sessionKey)
    expect(later.coinflow?.sessionKey).toBe(first.coinflow?.sessionKey)
    // The expiry is the key's own, not pushed back by each visit.
    expect(later.coinflow?.expiresAt).toBe(first.coinflow?.expiresAt)
    // Still one Coinflow read per visit: the withdrawer confirms the approval stands.
    expect(harness.count('coinflow', 'GET', /\/withdraw$/)).toBeGreaterThanOrEqual(3)
  })

  it('hands the key one instance minted to a visit answered by another', async () => {
    harness = createJourneyHarness()
    const first = await approve(jane)
    const other = harness.secondInstance()
    const response = await other.get(jane.id, '/session')
    expect(response.status).toBe(200)
    const onOther = (await response.json()) as typeof first
    expect(onOther.coinflow?.sessionKey).toBe(first.coinflow?.sessionKey)
    expect(sessionKeyCalls()).toBe(1)
  })

  it('mints a new key once the kept one is 20 minutes old', async () => {
    harness = createJourneyHarness()
    const first = await approve(jane)
    await harness.advance(20 * 60_000)
    const after = await harness.session(jane.id)
    expect(sessionKeyCalls()).toBe(2)
    expect(after.coinflow?.sessionKey).not.toBe(first.coinflow?.sessionKey)
    expect(Date.parse(after.coinflow!.expiresAt)).toBeGreaterThan(
      Date.parse(first.coinflow!.expiresAt),
    )
  })

  it('mints a new key when the kept one has less than 5 minutes left by its own expiry', async () => {
    harness = createJourneyHarness({ emulator: { coinflow: { sessionKeyTtlSeconds: 8 * 60 } } })
    const first = await approve(jane)
    expect(Date.parse(first.coinflow!.expiresAt) - harness.clock.now()).toBeLessThanOrEqual(
      8 * 60_000,
    )
    await harness.advance(2 * 60_000)
    expect((await harness.session(jane.id)).coinflow?.sessionKey).toBe(first.coinflow?.sessionKey)
    await harness.advance(60_000 + 1_000)
    const renewed = await harness.session(jane.id)
    expect(renewed.coinflow?.sessionKey).not.toBe(first.coinflow?.sessionKey)
    expect(sessionKeyCalls()).toBe(2)
  })

  it('never hands one user the key kept for another', async () => {
    harness = createJourneyHarness()
    const janes = await approve(jane)
    const omars = await approve(omar)
    const [janeAgain, omarAgain] = await Promise.all([
      harness.session(jane.id),
      harness.session(omar.id),
    ])
    expect(customerOf(janes.coinflow!.sessionKey)).toBe(jane.id)
    expect(customerOf(omars.coinflow!.sessionKey)).toBe(omar.id)
    expect(customerOf(janeAgain.coinflow!.sessionKey)).toBe(jane.id)
    expect(customerOf(omarAgain.coinflow!.sessionKey)).toBe(omar.id)
    expect(sessionKeyCalls()).toBe(2)
  })

  it('drops the kept key when Coinflow stops knowing the user, and mints anew once it does again', async () => {
    harness = createJourneyHarness()
    const first = await approve(jane)
    const forgotten = harness.intercept((request) =>
      request.vendor === 'coinflow' && request.path === '/api/withdraw'
        ? Response.json({ message: 'Unauthorized' }, { status: 401 })
        : undefined,
    )
    const unknown = await harness.session(jane.id)
    expect(unknown.kyc.state).not.toBe('approved')
    expect(unknown.coinflow).toBeNull()
    forgotten()

    // Sharing again finds the withdrawer Coinflow still has, approved. (A second later, so the
    // emulator's key, signed over whole seconds, cannot come out the same by chance.)
    await harness.advance(1_000)
    await harness.share(jane.id)
    const back = await harness.session(jane.id)
    expect(back.kyc.state).toBe('approved')
    expect(back.coinflow?.sessionKey).not.toBe(first.coinflow?.sessionKey)
    expect(sessionKeyCalls()).toBe(2)
  })

  it('keeps no key for reuse when the host turns reuse off', async () => {
    const services = createShareflowServices({
      getUser: () => null,
      persona: {
        apiKey: 'persona_sandbox_unit',
        templateId: 'itmpl_unit',
        connectionId: 'cxn_unit',
      },
      coinflow: { apiKey: 'coinflow_unit', merchantId: 'unit', sessionKeyReuse: false },
      logger: silentLogger,
    })
    await services.sessionKeys.remember(jane.id, 'v1', 'minted-key')
    expect(await services.sessionKeys.reuse(jane.id, 'v1')).toBeNull()
  })

  it('mints anew after the host drops the kept key', async () => {
    harness = createJourneyHarness()
    await approve(jane)
    expect(await harness.app.shareflow.store.keys('session-key:')).toEqual([
      `session-key:${jane.id}`,
    ])
    await harness.app.shareflow.sessionKeys.forget(jane.id)
    await harness.session(jane.id)
    expect(sessionKeyCalls()).toBe(2)
  })
})
