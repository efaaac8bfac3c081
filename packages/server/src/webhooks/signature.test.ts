import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { signWebhook, timingSafeEqual, verifyWebhookSignature } from './signature'

const vectors = JSON.parse(
  readFileSync(
    new URL('../../vendor-specs/webhook-signature-test-vectors.json', import.meta.url),
    'utf8',
  ),
)

describe('webhook signatures', () => {
  describe('Persona vectors', () => {
    for (const vector of vectors.persona.cases) {
      it(`${vector.expect}s: ${vector.name}`, async () => {
        const result = await verifyWebhookSignature({
          payload: vectors.persona.raw_body,
          header: vector.header,
          secret: vectors.persona.secret,
          now: vectors.persona.now_unix,
        })
        expect(result.ok).toBe(vector.expect === 'accept')
      })
    }
  })

  describe('Coinflow vectors', () => {
    for (const vector of vectors.coinflow.cases) {
      it(`${vector.expect}s: ${vector.name}`, async () => {
        const result = await verifyWebhookSignature({
          payload: vectors.coinflow.raw_body,
          header: vector.header,
          secret: vectors.coinflow.validation_key,
          now: vectors.coinflow.now_unix,
        })
        expect(result.ok).toBe(vector.expect === 'accept')
      })
    }
  })

  it('verifies what it signs, including both sets during a rotation', async () => {
    const header = await signWebhook({ payload: '{"a":1}', secret: ['old', 'new'], timestamp: 100 })
    expect(header.split(' ')).toHaveLength(2)
    await expect(
      verifyWebhookSignature({ payload: '{"a":1}', header, secret: 'new', now: 100 }),
    ).resolves.toEqual({ ok: true, timestamp: 100 })
    await expect(
      verifyWebhookSignature({ payload: '{"a":2}', header, secret: 'new', now: 100 }),
    ).resolves.toEqual({ ok: false, reason: 'no_match' })
  })

  it('rejects timestamps too far in the future as well as the past', async () => {
    const header = await signWebhook({ payload: 'x', secret: 's', timestamp: 1000 })
    const result = await verifyWebhookSignature({ payload: 'x', header, secret: 's', now: 600 })
    expect(result).toEqual({ ok: false, reason: 'stale_timestamp' })
  })

  it('says why a header is refused', async () => {
    const base = { payload: 'x', secret: 's', now: 1 }
    await expect(verifyWebhookSignature({ ...base, header: undefined })).resolves.toMatchObject({
      reason: 'missing_header',
    })
    await expect(
      verifyWebhookSignature({ ...base, header: 'x'.repeat(5000) }),
    ).resolves.toMatchObject({
      reason: 'malformed_header',
    })
  })

  it('compares strings of different lengths as unequal', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true)
    expect(timingSafeEqual('abc', 'abd')).toBe(false)
    expect(timingSafeEqual('abc', 'abcd')).toBe(false)
  })
})
