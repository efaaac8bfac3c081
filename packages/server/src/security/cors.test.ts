import { describe, expect, it } from 'vitest'
import { createTestBff, USER_HEADER } from '../../test/security/bff'
import { checkAllowedOrigins, CorsConfigurationError } from './cors'

const APP = 'https://app.example.com'

describe('corsAllowlist', () => {
  it('answers a preflight from an allowed origin with that exact origin and credentials', async () => {
    const { app } = createTestBff({ trustedOrigins: [APP] })
    const response = await app.request('http://bff.test/payouts', {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type,idempotency-key',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(APP)
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBe('true')
    expect(response.headers.get('Access-Control-Allow-Headers')).toMatch(/Idempotency-Key/i)
    expect(response.headers.get('Vary')).toMatch(/Origin/)
  })

  it('lets an allowed origin read answers, errors included, and see the request id', async () => {
    const { app } = createTestBff({ trustedOrigins: [APP] })
    const response = await app.request('http://bff.test/session', { headers: { Origin: APP } })
    expect(response.status).toBe(401)
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe(APP)
    expect(response.headers.get('Access-Control-Expose-Headers')).toMatch(/X-Request-Id/)
  })

  it('gives any other origin no CORS headers at all, and refuses its writes', async () => {
    const { app } = createTestBff({ trustedOrigins: [APP] })
    const read = await app.request('http://bff.test/session', {
      headers: { Origin: 'https://evil.test', [USER_HEADER]: 'u1' },
    })
    expect(read.headers.get('Access-Control-Allow-Origin')).toBeNull()
    expect(read.headers.get('Access-Control-Allow-Credentials')).toBeNull()
    expect(read.headers.get('Vary')).toMatch(/Origin/)

    const preflight = await app.request('http://bff.test/payouts', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' },
    })
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
    expect(preflight.status).toBe(403)

    // A look-alike of an allowed origin is another origin.
    const lookalike = await app.request('http://bff.test/kyc/share', {
      method: 'POST',
      headers: { Origin: `${APP}.evil.test`, [USER_HEADER]: 'u1' },
    })
    expect(lookalike.status).toBe(403)
    expect(lookalike.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('refuses a wildcard, a path or a trailing slash in the allowlist at start-up', () => {
    for (const bad of [
      '*',
      'https://*.example.com',
      `${APP}/`,
      `${APP}/wallet`,
      'app.example.com',
    ]) {
      expect(() => checkAllowedOrigins([bad]), bad).toThrow(CorsConfigurationError)
      expect(() => createTestBff({ trustedOrigins: [bad] }), bad).toThrow(CorsConfigurationError)
    }
    expect(checkAllowedOrigins([APP, 'http://localhost:5173'])).toEqual([
      APP,
      'http://localhost:5173',
    ])
  })
})
