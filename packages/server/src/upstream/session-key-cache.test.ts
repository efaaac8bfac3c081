import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { createMemoryStore } from '../store/memory'
import {
  createSessionKeyCache,
  SESSION_KEY_LIFETIME_MS,
  sessionKeyExpiry,
} from './session-key-cache'

const base64Url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** A JWT-shaped key with these claims (the signature is never read). */
const jwt = (claims: Record<string, unknown>) =>
  `${base64Url({ alg: 'HS256', typ: 'JWT' })}.${base64Url(claims)}.c2lnbmF0dXJl`

const t0 = Date.UTC(2026, 10, 22, 12, 0, 0)

describe('sessionKeyExpiry', () => {
  it('reads the key’s own exp when it comes sooner than 30 minutes', () => {
    expect(sessionKeyExpiry(jwt({ exp: t0 / 1000 + 600 }), t0)).toBe(t0 + 600_000)
  })

  it('never trusts a key for longer than 30 minutes, whatever its exp says', () => {
    expect(sessionKeyExpiry(jwt({ exp: t0 / 1000 + 86_400 }), t0)).toBe(
      t0 + SESSION_KEY_LIFETIME_MS,
    )
  })

  it('gives an opaque or unreadable key 30 minutes', () => {
    expect(sessionKeyExpiry('opaque-key', t0)).toBe(t0 + SESSION_KEY_LIFETIME_MS)
    expect(sessionKeyExpiry('a.%%%.b', t0)).toBe(t0 + SESSION_KEY_LIFETIME_MS)
    expect(sessionKeyExpiry(jwt({ exp: 'soon' }), t0)).toBe(t0 + SESSION_KEY_LIFETIME_MS)
  })
})

/** Two instances of the BFF on one store, as behind a load balancer. */
function twoInstances(options: { secret?: string; otherSecret?: string } = {}) {
  const clock = createManualClock(t0)
  const store = createMemoryStore({ clock })
  const secret = options.secret ?? 'coinflow_api_key'
  return {
    clock,
    store,
    first: createSessionKeyCache({ clock, store, secret }),
    second: createSessionKeyCache({ clock, store, secret: options.otherSecret ?? secret }),
  }
}

describe('createSessionKeyCache', () => {
  it('hands a kept key back only under the status it was minted under', async () => {
    const { first } = twoInstances()
    await first.remember('ada', 'v1', 'key-ada')
    expect(await first.reuse('ada', 'v2')).toBeNull()
    expect(await first.reuse('ada', 'v1')).toMatchObject({ key: 'key-ada' })
  })

  it('keeps a key for 20 minutes at most, and only while 5 minutes of it remain', async () => {
    const { clock, first: keys } = twoInstances()
    await keys.remember('ada', 'v1', 'long-lived')
    await keys.remember('ben', 'v1', jwt({ exp: t0 / 1000 + 10 * 60 }))
    clock.advance(5 * 60_000 - 1)
    expect((await keys.reuse('ben', 'v1'))?.expiresAt).toBe(t0 + 10 * 60_000)
    clock.advance(2)
    expect(await keys.reuse('ben', 'v1')).toBeNull()
    clock.advance(15 * 60_000 - 2)
    expect(await keys.reuse('ada', 'v1')).toEqual({
      key: 'long-lived',
      expiresAt: t0 + SESSION_KEY_LIFETIME_MS,
    })
    clock.advance(1)
    expect(await keys.reuse('ada', 'v1')).toBeNull()
  })

  it('hands the key one instance minted to a retry on another', async () => {
    const { first, second } = twoInstances()
    const minted = await first.remember('ada', 'v1', 'key-ada')
    expect(await second.reuse('ada', 'v1')).toEqual(minted)
  })

  it('drops a key on every instance when one forgets it', async () => {
    const { first, second } = twoInstances()
    await first.remember('ada', 'v', 'key-ada')
    await first.remember('ben', 'v', 'key-ben')
    await second.forget('ada')
    expect(await first.reuse('ada', 'v')).toBeNull()
    expect((await first.reuse('ben', 'v'))?.key).toBe('key-ben')
  })

  it('keeps the key sealed in the store, and gone from it once it may not be reused', async () => {
    const { clock, store, first } = twoInstances()
    await first.remember('ada', 'v1', 'bearer-key-of-ada')
    const [kept] = await store.keys('session-key:')
    expect(kept).toBe('session-key:ada')
    expect(await store.get(kept!)).not.toContain('bearer-key-of-ada')
    clock.advance(20 * 60_000)
    expect(await store.keys('session-key:')).toEqual([])
  })

  it('opens no key sealed under another secret, nor one moved to another user', async () => {
    const { store, first, second } = twoInstances({ otherSecret: 'rotated_api_key' })
    await first.remember('ada', 'v1', 'key-ada')
    expect(await second.reuse('ada', 'v1')).toBeNull()
    await store.set('session-key:ben', (await store.get('session-key:ada'))!)
    expect(await first.reuse('ben', 'v1')).toBeNull()
  })

  it('keeps nothing when reuse is off', async () => {
    const clock = createManualClock(t0)
    const store = createMemoryStore({ clock })
    const keys = createSessionKeyCache({ clock, store, secret: 's', reuseForMs: 0 })
    expect(await keys.remember('ada', 'v1', 'key-ada')).toMatchObject({ key: 'key-ada' })
    expect(await keys.reuse('ada', 'v1')).toBeNull()
    expect(await store.keys('')).toEqual([])
  })
})
