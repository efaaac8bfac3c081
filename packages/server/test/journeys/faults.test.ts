import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultSettings } from '../../src/emulator'
import { createJourneyHarness, goodIdentity, type JourneyHarness } from './harness'

let harness: JourneyHarness
afterEach(() => harness?.close())

const kim = { id: 'user-kim', email: 'kim@example.com' }

/**
 * What the gate does when the BFF says a vendor is unavailable: wait a little, then ask again.
 * Any other error fails the test.
 */
async function asTheGateWould(
  h: JourneyHarness,
  request: () => Response | Promise<Response>,
  attempts = 8,
): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    const response = await request()
    const body = (await response.json()) as Record<string, unknown>
    if (response.ok) return body
    expect(ErrorEnvelope.parse(body).error.code, JSON.stringify(body)).toBe('upstream_unavailable')
    expect(attempt, 'the vendor never recovered').toBeLessThan(attempts)
    h.clock.advance(1_000)
  }
}

/** Journeys 3 → 2 → approval, retried the way the gate retries, under the given faults. */
async function walkToApproval(h: JourneyHarness) {
  h.signIn(kim)
  const link = (await asTheGateWould(h, () => h.as(kim.id).post('/kyc/inquiry'))) as {
    oneTimeLink: string
  }
  await h.completeHostedFlow(link.oneTimeLink, goodIdentity)
  await h.advance(0)
  for (let i = 0; i < 10; i++) {
    const session = (await asTheGateWould(h, () => h.as(kim.id).get('/session'))) as {
      kyc: { state: string; nextAction: string }
    }
    if (session.kyc.state === 'approved') return session
    if (session.kyc.nextAction === 'share') {
      await asTheGateWould(h, () => h.as(kim.id).post('/kyc/share'))
    }
    // The vendors' background work (redemption, review) and webhooks, then a stale re-check.
    await h.advance(6_000)
  }
  throw new Error('the journey never reached approval')
}

const faulty = (settings: Partial<FaultSettings>) => ({ persona: settings, coinflow: settings })

/**
 * The first share token Persona is asked for meets `faults` for certain (each request-level rate
 * set to 1 for that one request): a first verification makes few Persona calls, so the seeded
 * rolls alone may miss all of them. Every first verification asks for a share token.
 */
function faultTheFirstShareToken(h: JourneyHarness, faults: Partial<FaultSettings>) {
  const settings = h.emulator.world.faults.persona
  const rates = { ...settings }
  let first = true
  h.intercept((request) => {
    const shareToken =
      request.vendor === 'persona' &&
      request.method === 'POST' &&
      /\/connect\/share-tokens$/.test(request.path)
    for (const kind of ['errorRate', 'rateLimitRate', 'timeoutRate'] as const) {
      settings[kind] = first && shareToken && (faults[kind] ?? 0) > 0 ? 1 : rates[kind]
    }
    if (shareToken) first = false
    return undefined
  })
}

describe('journeys under vendor faults', () => {
  it.each([
    ['5xx answers', faulty({ errorRate: 0.35 }), [503]],
    ['forced 429s', faulty({ rateLimitRate: 0.35 }), [429]],
    // The BFF gave up on these; the emulator notes a 504 once the request is abandoned.
    ['requests that never answer', faulty({ timeoutRate: 0.25 }), [504]],
    [
      'a mix of everything, webhooks included',
      faulty({
        errorRate: 0.15,
        rateLimitRate: 0.15,
        timeoutRate: 0.1,
        webhookDropRate: 0.3,
        webhookDuplicateRate: 0.3,
        webhookReorderRate: 0.3,
      }),
      [429, 503, 504],
    ],
  ])(
    'reaches approval with %s, with one share token and one registration',
    async (_, faults, injected) => {
      harness = createJourneyHarness({ faults, app: { upstream: { timeoutMs: 50 } } })
      faultTheFirstShareToken(harness, faults.persona)
      const session = await walkToApproval(harness)
      expect(session).toMatchObject({
        kyc: { state: 'approved' },
        coinflow: { merchantId: 'shareflow-journeys' },
      })
      const faultsSeen = harness.vendorRequests.filter((r) => injected.includes(r.status ?? 0))
      expect(faultsSeen.length).toBeGreaterThan(0)
      expect(harness.shareTokensCreated()).toBe(1)
      expect(harness.registrationsAccepted()).toBe(1)
    },
  )

  it('reaches approval by polling when every webhook is lost', async () => {
    harness = createJourneyHarness({ faults: faulty({ webhookDropRate: 1 }) })
    await walkToApproval(harness)
    expect(harness.webhookAnswers).toEqual([])
    expect(harness.registrationsAccepted()).toBe(1)
  })

  it('applies each webhook once when every delivery is duplicated and reordered', async () => {
    harness = createJourneyHarness({
      faults: faulty({ webhookDuplicateRate: 1, webhookReorderRate: 0.5 }),
    })
    await walkToApproval(harness)
    expect(
      harness.logger.records().filter((r) => r.msg === 'webhook duplicate ignored').length,
    ).toBeGreaterThan(0)
    expect(harness.shareTokensCreated()).toBe(1)
    expect(harness.registrationsAccepted()).toBe(1)
  })

  it('tells the user a vendor is down, in the envelope, after retrying with one Idempotency-Key', async () => {
    harness = createJourneyHarness()
    harness.signIn(kim)
    harness.intercept((request) =>
      request.method === 'POST' && request.path.endsWith('/inquiries')
        ? Response.json({ errors: [{ title: 'Service unavailable' }] }, { status: 503 })
        : undefined,
    )
    const response = await harness.as(kim.id).post('/kyc/inquiry')
    expect(response.status).toBe(503)
    const { error } = ErrorEnvelope.parse(await response.json())
    expect(error.code).toBe('upstream_unavailable')
    expect(error.message).not.toMatch(/persona|503|Service unavailable/i)
    const keys = harness.vendorRequests
      .filter((r) => r.method === 'POST')
      .map((r) => r.idempotencyKey)
    expect(keys).toHaveLength(4)
    expect(new Set(keys).size).toBe(1)
  })
})

describe('after Persona answered a 5xx it replays for that Idempotency-Key', () => {
  /**
   * Persona's POSTs answer the emulator's injected 5xx (stored under their keys) until
   * `recover()`; its GETs keep working, so the BFF gets as far as creating.
   */
  function personaPostsFail(h: JourneyHarness) {
    let down = true
    const faults = h.emulator.world.faults.persona
    const stop = h.intercept((request) => {
      faults.errorRate = down && request.vendor === 'persona' && request.method === 'POST' ? 1 : 0
      return undefined
    })
    return () => {
      down = false
      stop()
      faults.errorRate = 0
    }
  }

  it('starts the inquiry on the next try, under a new key', async () => {
    harness = createJourneyHarness({ app: { upstream: { timeoutMs: 50 } } })
    harness.signIn(kim)
    const recover = personaPostsFail(harness)
    expect((await harness.as(kim.id).post('/kyc/inquiry')).status).toBe(503)
    recover()
    const retried = await harness.as(kim.id).post('/kyc/inquiry')
    expect(retried.status).toBe(200)
    const keys = harness.vendorRequests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/inquiries'))
      .map((r) => r.idempotencyKey)
    expect(new Set(keys).size).toBe(2)
  })

  it('creates the share token on the next try, under a new key', async () => {
    harness = createJourneyHarness({ app: { upstream: { timeoutMs: 50 } } })
    harness.signIn(kim)
    const link = (await (await harness.as(kim.id).post('/kyc/inquiry')).json()) as {
      oneTimeLink: string
    }
    await harness.completeHostedFlow(link.oneTimeLink, goodIdentity)
    await harness.advance(0)
    const recover = personaPostsFail(harness)
    expect((await harness.as(kim.id).post('/kyc/share')).status).toBe(503)
    recover()
    expect((await harness.as(kim.id).post('/kyc/share')).status).toBe(200)
    expect(harness.shareTokensCreated()).toBe(1)
    const keys = harness.vendorRequests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/share-tokens'))
      .map((r) => r.idempotencyKey)
    expect(new Set(keys).size).toBe(2)
  })
})

describe('the shared Persona budget', () => {
  it('queues rather than fails when hundreds of users arrive at once', async () => {
    harness = createJourneyHarness()
    const users = Array.from({ length: 150 }, (_, i) =>
      harness.signIn({ id: `crowd-${i}`, email: `crowd-${i}@example.com` }),
    )
    const started = harness.clock.now()
    const answers = await Promise.all(users.map((user) => harness.as(user.id).post('/kyc/inquiry')))
    expect(answers.map((r) => r.status).filter((s) => s !== 200)).toEqual([])
    const persona = harness.vendorRequests.filter((r) => r.vendor === 'persona')
    expect(persona.length).toBe(300)
    expect(persona.filter((r) => r.status === 429)).toEqual([])
    // 300 requests cannot fit in Persona's minute: the budget spread them over more than one.
    expect(harness.clock.now() - started).toBeGreaterThan(60_000)
  })
})
