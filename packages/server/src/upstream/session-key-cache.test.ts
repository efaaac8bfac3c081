import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
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

describe('createSessionKeyCache', () => {
  it('hands a kept key back only under the status it was minted under', () => {
    const keys = createSessionKeyCache({ clock: createManualClock(t0) })
    keys.remember('ada', 'v1', 'key-ada')
    expect(keys.reuse('ada', 'v2')).toBeNull()
    // A mismatch drops it: the status moved on, so the key is not coming back.
    expect(keys.reuse('ada', 'v1')).toBeNull()
  })

  it('keeps a key for 20 minutes at most, and only while 5 minutes of it remain', () => {
    const clock = createManualClock(t0)
    const keys = createSessionKeyCache({ clock })
    keys.remember('ada', 'v1', 'long-lived')
    keys.remember('ben', 'v1', jwt({ exp: t0 / 1000 + 10 * 60 }))
    clock.advance(5 * 60_000 - 1)
    expect(keys.reuse('ben', 'v1')?.expiresAt).toBe(t0 + 10 * 60_000)
    clock.advance(2)
    expect(keys.reuse('ben', 'v1')).toBeNull()
    clock.advance(15 * 60_000 - 2)
    expect(keys.reuse('ada', 'v1')).toEqual({
      key: 'long-lived',
      expiresAt: t0 + SESSION_KEY_LIFETIME_MS,
    })
    clock.advance(1)
    expect(keys.reuse('ada', 'v1')).toBeNull()
  })

  it('forgets the least recently used user past its bound', () => {
    const keys = createSessionKeyCache({ clock: createManualClock(t0), maxUsers: 2 })
    keys.remember('ada', 'v', 'key-ada')
    keys.remember('ben', 'v', 'key-ben')
    expect(keys.reuse('ada', 'v')?.key).toBe('key-ada')
    keys.remember('cy', 'v', 'key-cy')
    expect(keys.size).toBe(2)
    expect(keys.reuse('ben', 'v')).toBeNull()
    expect(keys.reuse('ada', 'v')?.key).toBe('key-ada')
    expect(keys.reuse('cy', 'v')?.key).toBe('key-cy')
  })

  it('forgets one user without touching another', () => {
    const keys = createSessionKeyCache({ clock: createManualClock(t0) })
    keys.remember('ada', 'v', 'key-ada')
    keys.remember('ben', 'v', 'key-ben')
    keys.forget('ada')
    expect(keys.reuse('ada', 'v')).toBeNull()
    expect(keys.reuse('ben', 'v')?.key).toBe('key-ben')
  })
})
