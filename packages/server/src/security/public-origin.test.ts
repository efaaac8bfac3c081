import { describe, expect, it } from 'vitest'
import { forwardedOrigin } from './public-origin'

const INNER = 'http://10.0.0.5:8787/api/shareflow/kyc/share'
const headers = (entries: Record<string, string>) => new Headers(entries)

describe('forwardedOrigin', () => {
  it("is the URL's own origin when no proxy is trusted, whatever the headers say", () => {
    const spoofed = headers({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.test' })
    expect(forwardedOrigin(INNER, spoofed, 0)).toBe('http://10.0.0.5:8787')
  })

  it("is the trusted proxy's scheme and host, written as a browser writes Origin", () => {
    const forwarded = headers({
      'X-Forwarded-Proto': 'HTTPS',
      'X-Forwarded-Host': 'App.Example.com:443',
    })
    expect(forwardedOrigin(INNER, forwarded, 1)).toBe('https://app.example.com')
    // A proxy that forwards only the scheme keeps the Host it passed on.
    expect(
      forwardedOrigin('http://app.example.com/x', headers({ 'X-Forwarded-Proto': 'https' }), 1),
    ).toBe('https://app.example.com')
  })

  it('reads each header as many hops from the right as there are trusted proxies', () => {
    const chain = headers({
      'X-Forwarded-Proto': 'http, https, http',
      'X-Forwarded-Host': 'evil.test, app.example.com, lb.internal',
    })
    expect(forwardedOrigin(INNER, chain, 1)).toBe('http://lb.internal')
    expect(forwardedOrigin(INNER, chain, 2)).toBe('https://app.example.com')
    // Fewer entries than proxies: the leftmost there is, never one further left.
    expect(forwardedOrigin(INNER, headers({ 'X-Forwarded-Proto': 'https' }), 3)).toBe(
      'https://10.0.0.5:8787',
    )
  })

  it('keeps its own scheme or host when the forwarded one is not a scheme or a bare host', () => {
    for (const host of [
      'app.example.com/path',
      'user@app.example.com',
      'a b',
      'app.example.com?x',
    ]) {
      expect(forwardedOrigin(INNER, headers({ 'X-Forwarded-Host': host }), 1), host).toBe(
        'http://10.0.0.5:8787',
      )
    }
    expect(forwardedOrigin(INNER, headers({ 'X-Forwarded-Proto': 'javascript' }), 1)).toBe(
      'http://10.0.0.5:8787',
    )
  })
})
