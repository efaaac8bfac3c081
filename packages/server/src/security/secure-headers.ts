/**
 * Security headers for every BFF response. The BFF answers JSON (and one event stream) to the
 * host's own pages; nothing it serves is meant to be rendered, framed, sniffed, cached or handed
 * to another site, so every header says exactly that. The host's pages set their own policy
 * (see the README's "Security" section); this one covers only the BFF's answers.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

/**
 * Headers on every answer, error envelopes included: a `default-src 'none'` CSP (a response
 * opened as a page can run and load nothing), `nosniff`, no framing, no referrer, HSTS,
 * same-origin resource and opener policies, and `Cache-Control: no-store` unless a route chose
 * otherwise, because answers carry session keys and a user's own state.
 *
 * @example app.use(apiSecurityHeaders())
 */
export function apiSecurityHeaders(): MiddlewareHandler {
  const standard = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
    xFrameOptions: 'DENY',
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    // An embedding page reaches the BFF with fetch in CORS mode, which this does not govern;
    // it only stops other sites from pulling answers in as images, scripts or styles.
    crossOriginResourcePolicy: 'same-origin',
  })
  return async function apiSecurityHeaders(c, next) {
    await standard(c, async () => {
      await next()
      if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store')
    })
  }
}
