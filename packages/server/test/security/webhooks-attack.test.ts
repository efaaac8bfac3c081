/**
 * The webhook receivers under attack, against the whole BFF and the emulator: forged signatures,
 * tampered bodies, stale and future timestamps, replays, floods of duplicates and huge bodies.
 * Each is refused (or acknowledged as a duplicate) in the envelope, stores nothing, and is
 * refused cheaply: the work done is measured (HMACs at Web Crypto, parses of the body at
 * `JSON.parse`). Legitimate deliveries made during the attack are still applied, once.
 */
import { ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import type { WebhookDeliveryRecord } from '../../src/emulator'
import { signWebhook } from '../../src/webhooks/signature'
import { COINFLOW_WEBHOOK_KEY, PERSONA_WEBHOOK_SECRET } from '../journeys/harness'
import { expectUnchanged, snapshotStore } from './state'
import { measureWork } from './work'
import { createVerifiedWorld, jane, OPENING_CENTS, type VerifiedWorld } from './world'

let world: VerifiedWorld
afterEach(() => world?.harness.close())

// Signatures carry real time (the harness's webhook clock), never the emulated clock.
const nowSeconds = () => Math.floor(world.harness.webhookClock.now() / 1000)

const post = async (
  vendor: 'persona' | 'coinflow',
  body: BodyInit,
  headers: Record<string, string>,
): Promise<Response> =>
  world.request(`/webhooks/${vendor}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  })

async function expectForbidden(response: Response) {
  expect(response.status).toBe(403)
  expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('forbidden')
}

/** A Persona event that would, if accepted, move Jane's KYC back to pending review. */
const personaEvent = (id = `evt_attack_${Math.random().toString(36).slice(2)}`) =>
  JSON.stringify({
    data: {
      type: 'event',
      id,
      attributes: {
        name: 'inquiry.marked-for-review',
        'created-at': new Date(world.harness.clock.now()).toISOString(),
        payload: {
          data: {
            type: 'inquiry',
            id: 'inq_forged',
            attributes: { status: 'needs_review', 'reference-id': jane.id },
          },
        },
      },
    },
  })

/** A Coinflow event that would, if accepted, fail one of Jane's payouts. */
const withdrawFailure = (idempotencyKey: string) =>
  JSON.stringify({
    eventType: 'Withdraw Failure',
    category: 'Withdraw',
    created: new Date(world.harness.clock.now()).toISOString(),
    data: { userId: jane.id, idempotencyKey, signature: 'forged_signature' },
  })

const lastDelivery = (vendor: 'persona' | 'coinflow', event: RegExp): WebhookDeliveryRecord => {
  const found = world.harness.emulator.webhooks
    .deliveries()
    .filter((record) => record.vendor === vendor && event.test(record.event ?? ''))
    .at(-1)
  if (!found) throw new Error(`no ${vendor} delivery matching ${event}`)
  return found
}

describe('webhooks under attack', () => {
  it('refuses missing, garbled, stale and future signatures with no HMAC and no parse, storing nothing', async () => {
    world = await createVerifiedWorld()
    const body = personaEvent()
    const t = nowSeconds()
    const valid = (timestamp: number) =>
      signWebhook({ payload: body, secret: PERSONA_WEBHOOK_SECRET, timestamp })
    const headers: Array<[string, string | null]> = [
      ['missing', null],
      ['empty', ''],
      ['garbled', 't=abc,v1=zz'],
      ['no timestamp', `v1=${'a'.repeat(64)}`],
      ['a short digest', `t=${t},v1=abcdef`],
      ['stuffed past 1 KiB', `t=${t},v1=${'a'.repeat(64)} `.repeat(20)],
      ['stale by 301 s', await valid(t - 301)],
      ['301 s in the future', await valid(t + 301)],
      ['from 1970', await valid(1)],
    ]
    const before = await snapshotStore(world.harness.store)
    for (const [label, header] of headers) {
      const { result, work } = await measureWork(body, () =>
        post('persona', body, header === null ? {} : { 'Persona-Signature': header }),
      )
      await expectForbidden(result)
      expect(work, label).toEqual({ hmacs: 0, parses: 0 })
    }
    for (const header of ['t=abc,v1=zz', await valid(t - 301)]) {
      const coinflowBody = withdrawFailure('any-key-0001')
      const { result, work } = await measureWork(coinflowBody, () =>
        post('coinflow', coinflowBody, { 'Coinflow-Signature': header }),
      )
      await expectForbidden(result)
      expect(work).toEqual({ hmacs: 0, parses: 0 })
    }
    expectUnchanged(before, await snapshotStore(world.harness.store))
    expect((await world.harness.session(jane.id)).kyc.state).toBe('approved')
  })

  it('refuses forged signatures and tampered bodies after one HMAC per secret, never parsing them', async () => {
    world = await createVerifiedWorld()
    const body = personaEvent()
    const t = nowSeconds()
    const signedByUs = await signWebhook({
      payload: body,
      secret: PERSONA_WEBHOOK_SECRET,
      timestamp: t,
    })
    const attempts: Array<[string, string, string]> = [
      [
        'signed with a guessed secret',
        body,
        await signWebhook({ payload: body, secret: 'wbhsec_guess', timestamp: t }),
      ],
      ['signed for another timestamp', body, signedByUs.replace(`t=${t}`, `t=${t - 1}`)],
      [
        'a flipped digest bit',
        body,
        signedByUs.replace(/v1=(.)/, (_, c: string) => `v1=${c === '0' ? '1' : '0'}`),
      ],
      [
        'an upper-cased digest of another body',
        body,
        (await signWebhook({ payload: `${body} `, secret: PERSONA_WEBHOOK_SECRET, timestamp: t }))
          .toUpperCase()
          .replace('T=', 't=')
          .replace('V1=', 'v1='),
      ],
      ['a body with a trailing space', `${body} `, signedByUs],
      ['a body with its status changed', body.replace('needs_review', 'approved'), signedByUs],
      [
        'a body with a key escaped differently',
        body.replace('"status"', '"st\\u0061tus"'),
        signedByUs,
      ],
      ['a body with a duplicate key appended', `${body.slice(0, -1)},"data":{}}`, signedByUs],
    ]
    const before = await snapshotStore(world.harness.store)
    for (const [label, sent, header] of attempts) {
      const { result, work } = await measureWork(sent, () =>
        post('persona', sent, { 'Persona-Signature': header }),
      )
      await expectForbidden(result)
      expect(work, label).toEqual({ hmacs: 1, parses: 0 })
    }
    // Coinflow: a guessed validation key, compared in constant time, costs no HMAC at all.
    for (const guess of [`${COINFLOW_WEBHOOK_KEY}x`, COINFLOW_WEBHOOK_KEY.slice(0, -1), 'a', '']) {
      const sent = withdrawFailure('any-key-0002')
      const { result, work } = await measureWork(sent, () =>
        post('coinflow', sent, { Authorization: guess }),
      )
      await expectForbidden(result)
      expect(work).toEqual({ hmacs: 0, parses: 0 })
    }
    expectUnchanged(before, await snapshotStore(world.harness.store))
  })

  it('caps the HMACs one request can cost at the sets a 1 KiB header holds', async () => {
    world = await createVerifiedWorld()
    const body = personaEvent()
    const t = nowSeconds()
    // As many fresh, well-formed, wrong sets as fit under the header cap.
    const set = `t=${t},v1=${'0'.repeat(64)}`
    const header = Array.from({ length: Math.floor(1024 / (set.length + 1)) }, () => set).join(' ')
    const { result, work } = await measureWork(body, () =>
      post('persona', body, { 'Persona-Signature': header }),
    )
    await expectForbidden(result)
    expect(work.parses).toBe(0)
    expect(work.hmacs).toBeLessThanOrEqual(12)
  })

  it('refuses huge bodies with 413 before verifying, reading at most the limit of a streamed one', async () => {
    world = await createVerifiedWorld()
    const limit = world.harness.app.shareflow.settings.maxBodyBytes
    const before = await snapshotStore(world.harness.store)

    // Declared too large: refused on the header alone, the body never read.
    let pulledDeclared = 0
    const declared = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulledDeclared += 16_384
        controller.enqueue(new Uint8Array(16_384).fill(0x20))
      },
    })
    const { result: tooBig, work: tooBigWork } = await measureWork('', () =>
      world.harness.host.request(
        new Request(`https://host.test/api/shareflow/webhooks/persona`, {
          method: 'POST',
          headers: { 'Content-Length': String(50 * 1024 * 1024), 'Persona-Signature': 't=1,v1=0' },
          body: declared,
          duplex: 'half',
        } as RequestInit),
      ),
    )
    expect(tooBig.status).toBe(413)
    expect(ErrorEnvelope.parse(await tooBig.json()).error.code).toBe('payload_too_large')
    expect(tooBigWork.hmacs).toBe(0)
    // A stream may buffer a chunk or two ahead of the reader; it is never read through.
    expect(pulledDeclared).toBeLessThanOrEqual(3 * 16_384)

    // No length declared (chunked): read until the limit is passed, then refused.
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 16_384
        if (pulled > 50 * 1024 * 1024) controller.close()
        else controller.enqueue(new Uint8Array(16_384).fill(0x20))
      },
    })
    const started = performance.now()
    const streamed = await world.harness.host.request(
      new Request(`https://host.test/api/shareflow/webhooks/coinflow`, {
        method: 'POST',
        headers: { Authorization: COINFLOW_WEBHOOK_KEY, 'Transfer-Encoding': 'chunked' },
        body: endless,
        duplex: 'half',
      } as RequestInit),
    )
    expect(streamed.status).toBe(413)
    expect(pulled).toBeLessThanOrEqual(limit + 3 * 16_384)
    expect(performance.now() - started).toBeLessThan(1_000)
    expectUnchanged(before, await snapshotStore(world.harness.store))
  })

  it('answers replays of real deliveries as duplicates, and refuses them once stale', async () => {
    world = await createVerifiedWorld()
    const payout = await world.payout(250_00, 'replay-payout-0001')
    await world.harness.advance(2_000)
    expect((await world.payouts.service.get(jane.id, payout.id))?.state).toBe('succeeded')
    const success = lastDelivery('coinflow', /^Withdraw Success/)
    const approval = lastDelivery('persona', /./)
    const before = await snapshotStore(world.harness.store)

    for (const record of [success, approval]) {
      const { result: replayed, work } = await measureWork(record.delivery.body, () =>
        post(record.vendor, record.delivery.body, record.delivery.headers),
      )
      expect(replayed.status).toBe(200)
      expect(await replayed.json()).toEqual({ received: true, duplicate: true })
      // A genuine delivery costs one HMAC and one parse: the counters above are not blind.
      expect(work).toEqual({ hmacs: 1, parses: 1 })
    }
    expectUnchanged(before, await snapshotStore(world.harness.store))
    expect(world.ledger.calls('settle', payout.id)).toBe(1)

    // Ten real minutes on, the captured Persona signature is stale: refused before any HMAC.
    world.harness.webhookClock.advance(600_000)
    const { result, work } = await measureWork(approval.delivery.body, () =>
      post('persona', approval.delivery.body, approval.delivery.headers),
    )
    await expectForbidden(result)
    expect(work).toEqual({ hmacs: 0, parses: 0 })
  })

  it('applies a flood of 300 copies of one legitimate delivery exactly once', async () => {
    world = await createVerifiedWorld()
    // Coinflow's deliveries are lost in transit, so the test holds the only copies.
    world.harness.emulator.world.faults.coinflow.webhookDropRate = 1
    const payout = await world.payout(400_00, 'flood-payout-0001')
    await world.harness.advance(2_000)
    const success = lastDelivery('coinflow', /^Withdraw Success/)
    expect((await world.payouts.service.get(jane.id, payout.id))?.state).not.toBe('succeeded')

    const answers = await Promise.all(
      Array.from({ length: 300 }, () =>
        post('coinflow', success.delivery.body, success.delivery.headers).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { duplicate?: boolean },
        })),
      ),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(answers.filter((answer) => !answer.body.duplicate)).toHaveLength(1)
    expect((await world.payouts.service.get(jane.id, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
    expect(world.ledger.balance(jane.id, 'USD')).toBe(OPENING_CENTS - 400_00)
  })

  it('keeps applying legitimate deliveries while hundreds of forged ones pour in', async () => {
    world = await createVerifiedWorld()
    const payout = await world.payout(300_00, 'under-attack-0001')
    const forged = Array.from({ length: 200 }, async (_, n) => {
      const persona = personaEvent(`evt_forged_${n}`)
      const coinflow = withdrawFailure('under-attack-0001')
      const answers = await Promise.all([
        post('persona', persona, {
          'Persona-Signature': await signWebhook({ payload: persona, secret: 'wbhsec_attacker' }),
        }),
        post('coinflow', coinflow, { Authorization: 'not-the-key' }),
        post('coinflow', coinflow, {
          'Coinflow-Signature': await signWebhook({
            payload: coinflow,
            secret: 'coinflow_guess',
            timestamp: nowSeconds(),
          }),
        }),
      ])
      return answers.map((answer) => answer.status)
    })
    // The emulator settles the payout and delivers its real, signed webhooks meanwhile.
    const legitimate = world.harness.advance(2_000)
    const statuses = (await Promise.all(forged)).flat()
    await legitimate
    expect(new Set(statuses)).toEqual(new Set([403]))
    expect((await world.payouts.service.get(jane.id, payout.id))?.state).toBe('succeeded')
    expect(world.ledger.calls('settle', payout.id)).toBe(1)
    expect(world.ledger.calls('reverse', payout.id)).toBe(0)
    expect(world.harness.webhookAnswers.filter((answer) => answer.status !== 200)).toEqual([])
    expect((await world.harness.session(jane.id)).kyc.state).toBe('approved')
  })
})
