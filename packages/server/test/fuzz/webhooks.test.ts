/**
 * Property-based fuzzing of both webhook receivers. Unsigned and wrongly signed deliveries of
 * any shape must be refused in the envelope with no trace; deliveries that carry valid proof but
 * a hostile body (a vendor bug, or a leaked key) must still never answer 5xx or hang, and must
 * answer the envelope when refused. The count is printed at the end.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signWebhook } from '../../src/webhooks/signature'
import { COINFLOW_WEBHOOK_KEY, PERSONA_WEBHOOK_SECRET } from '../journeys/harness'
import { createVerifiedWorld, jane, type VerifiedWorld } from '../security/world'
import { headerValue, hostileBody } from './arbitraries'
import { createTally, loadServedDocument, sendHostile, summarize } from './harness'

const RUNS = Number(process.env.SHAREFLOW_FUZZ_RUNS ?? 500)

let world: VerifiedWorld
let payoutKey = ''
const tally = createTally()

beforeAll(async () => {
  world = await createVerifiedWorld({ app: { rateLimits: false } })
  const payout = await world.payout(20_00, 'fuzz-webhook-payout')
  payoutKey =
    world.harness.vendorRequests.filter((r) => r.path.endsWith('/payout/delegated')).at(-1)
      ?.idempotencyKey ?? payout.id
  // Let the payout's own Withdraw Pending webhook land first, so it is not mistaken for a trace.
  await world.harness.advance(0)
  await loadServedDocument(world)
}, 60_000)

afterAll(() => {
  console.log(`fuzz (webhook receivers): ${summarize(tally)}`)
  world?.harness.close()
})

// Signatures carry real time (the harness's webhook clock), never the emulated clock.
const now = () => Math.floor(world.harness.webhookClock.now() / 1000)

const personaEvent = () => ({
  data: {
    type: 'event',
    id: 'evt_fuzz_template',
    attributes: {
      name: 'inquiry.approved',
      'created-at': '2026-11-22T12:00:00.000Z',
      payload: {
        data: {
          type: 'inquiry',
          id: 'inq_fuzz',
          attributes: { status: 'approved', 'reference-id': jane.id },
        },
      },
    },
  },
})

const coinflowEvent = () => ({
  eventType: 'Withdraw Success',
  category: 'Withdraw',
  created: '2026-11-22T12:00:00.000Z',
  data: { userId: jane.id, idempotencyKey: payoutKey, signature: 'sig_fuzz' },
})

/** Signature headers that are not the vendor's: random, well-formed but wrong, stale, stuffed. */
const forgedSignature = fc.oneof(
  headerValue,
  fc
    .tuple(fc.integer({ min: -400, max: 400 }), fc.stringMatching(/^[0-9a-f]{64}$/))
    .map(([skew, digest]) => `t=${now() + skew},v1=${digest}`),
  fc.constant(undefined),
)

const post = (
  vendor: 'persona' | 'coinflow',
  body: string | undefined,
  headers: Record<string, string | undefined>,
) =>
  sendHostile(
    world,
    tally,
    {
      method: 'POST',
      path: `/webhooks/${vendor}`,
      body,
      headers: { 'Content-Type': 'application/json', ...headers },
    },
    // Every answer, accepted deliveries included, as the BFF's own document lists it.
    { matchesDocument: true },
  )

describe('fuzzing the webhook receivers', () => {
  it('refuses Persona deliveries without valid proof, leaving no trace', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(personaEvent()), forgedSignature, async (body, signature) => {
        const { status } = await post('persona', body, { 'Persona-Signature': signature })
        expect([400, 403, 413]).toContain(status)
      }),
      { numRuns: RUNS },
    )
  })

  it('refuses Coinflow deliveries without valid proof, leaving no trace', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileBody(coinflowEvent()),
        forgedSignature,
        fc.option(
          headerValue.filter((key) => key !== COINFLOW_WEBHOOK_KEY),
          { nil: undefined },
        ),
        async (body, signature, authorization) => {
          const { status } = await post('coinflow', body, {
            'Coinflow-Signature': signature,
            Authorization: authorization,
          })
          expect([400, 403, 413]).toContain(status)
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('survives hostile bodies that carry a valid Persona signature', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(personaEvent()), async (body) => {
        const payload = body ?? ''
        const signature = await signWebhook({
          payload,
          secret: PERSONA_WEBHOOK_SECRET,
          timestamp: now(),
        })
        await post('persona', body, { 'Persona-Signature': signature })
      }),
      { numRuns: RUNS },
    )
  })

  it('survives hostile bodies that carry valid Coinflow proof', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody(coinflowEvent()), fc.boolean(), async (body, signed) => {
        const payload = body ?? ''
        await post(
          'coinflow',
          body,
          signed
            ? {
                'Coinflow-Signature': await signWebhook({
                  payload,
                  secret: COINFLOW_WEBHOOK_KEY,
                  timestamp: now(),
                }),
              }
            : { Authorization: COINFLOW_WEBHOOK_KEY },
        )
      }),
      {
        numRuns: RUNS,
        // Found by this property once: a lone surrogate (valid JSON) as the payout's signature
        // broke the journal's key encoding and answered 500.
        examples: [
          [JSON.stringify(coinflowEvent()).replace('"sig_fuzz"', String.raw`"\ud800"`), false],
        ],
      },
    )
  })

  it('still shows Jane approved, her payout in one state, and counted every delivery', async () => {
    expect((await world.harness.session(jane.id)).kyc.state).toBe('approved')
    expect(world.ledger.calls('authorize')).toBe(1)
    expect(tally.requests).toBeGreaterThanOrEqual(RUNS * 4)
  })
})
