import { describe, expect, it } from 'vitest'
import { createTestBff, USER_HEADER } from '../../test/security/bff'

describe('apiSecurityHeaders', () => {
  it('sends the headers that keep answers from being rendered, framed, sniffed or cached', async () => {
    const { app } = createTestBff()
    const response = await app.request('/openapi.json')
    expect(response.status).toBe(200)
    const csp = response.headers.get('Content-Security-Policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(response.headers.get('X-Frame-Options')).toBe('DENY')
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer')
    expect(response.headers.get('Cross-Origin-Resource-Policy')).toBe('same-origin')
    expect(response.headers.get('Strict-Transport-Security')).toMatch(/max-age=\d{8}/)
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.headers.get('X-Powered-By')).toBeNull()
  })

  it('sends them on error envelopes too: unknown routes, 401s and refused writes', async () => {
    const { app } = createTestBff()
    const answers = await Promise.all([
      app.request('/no/such/route'),
      app.request('/session'),
      app.request('http://bff.test/kyc/share', {
        method: 'POST',
        headers: { Origin: 'https://evil.test', [USER_HEADER]: 'u1' },
      }),
    ])
    expect(answers.map((r) => r.status)).toEqual([404, 401, 403])
    for (const response of answers) {
      expect(response.headers.get('Content-Security-Policy')).toContain("default-src 'none'")
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff')
      expect(response.headers.get('Cache-Control')).toBe('no-store')
    }
  })
})
