import { describe, expect, it } from 'vitest'
import { signSessionKey, verifySessionKey } from './session-keys'

const claims = { customerId: 'user-1', merchantId: 'game-co', iat: 1_000, exp: 2_800 }

describe('session keys', () => {
  it('round-trips its claims while unexpired', async () => {
    const key = await signSessionKey(claims, 'secret')
    expect(await verifySessionKey(key, 'secret', 2_799)).toEqual({ ok: true, claims })
  })

  it('expires at exp', async () => {
    const key = await signSessionKey(claims, 'secret')
    expect(await verifySessionKey(key, 'secret', 2_800)).toEqual({ ok: false, reason: 'expired' })
  })

  it('refuses a key signed with another secret', async () => {
    const key = await signSessionKey(claims, 'other')
    expect(await verifySessionKey(key, 'secret', 1_000)).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
  })

  it.each(['', 'a.b', 'a.b.c.d', 'eyJ.!!!.sig', `${'a'.repeat(3000)}.b.c`])(
    'refuses the malformed key %j',
    async (key) => {
      expect(await verifySessionKey(key, 'secret', 1_000)).toEqual({
        ok: false,
        reason: 'malformed',
      })
    },
  )
})
