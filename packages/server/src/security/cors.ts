/**
 * CORS for a front end served from another origin than the BFF (say `app.example.com` calling
 * `api.example.com`). Only origins on the host's allowlist get CORS headers, each echoed back
 * exactly, never `*`: the BFF authenticates through the host's cookies, and a wildcard with
 * credentials would let any site read a signed-in user's answers. Requests from any other
 * origin get no CORS headers at all, so the browser keeps their answers from the page, and
 * the same-site check (`same-site-writes.ts`) refuses their writes.
 *
 * @module
 */
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  REQUEST_ID_HEADER,
} from '@shareflow/contract'
import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

/** Thrown at start-up for an allowlist entry that is not one exact origin. */
export class CorsConfigurationError extends Error {
  override name = 'CorsConfigurationError'
}

/**
 * Checks that every entry is a serialized origin (`https://app.example.com`: scheme, host and
 * port only) and returns them. A wildcard, a path or a trailing slash is refused: the first
 * would hand a signed-in user's data to every site, the others would silently never match.
 */
export function checkAllowedOrigins(origins: readonly string[]): readonly string[] {
  for (const origin of origins) {
    if (origin.includes('*')) {
      throw new CorsConfigurationError(
        `trustedOrigins may not contain a wildcard ("${origin}"): list each origin that may call the BFF`,
      )
    }
    let parsed: URL | undefined
    try {
      parsed = new URL(origin)
    } catch {
      parsed = undefined
    }
    if (!parsed || parsed.origin !== origin || !/^https?:$/.test(parsed.protocol)) {
      throw new CorsConfigurationError(
        `trustedOrigins entries must be origins like "https://app.example.com" (no path or trailing slash); got "${origin}"`,
      )
    }
  }
  return origins
}

/**
 * @param allowed Origins (besides the BFF's own) whose pages call the BFF: `trustedOrigins`.
 * @example app.use(corsAllowlist(['https://app.example.com']))
 */
export function corsAllowlist(allowed: readonly string[]): MiddlewareHandler {
  const origins = new Set(checkAllowedOrigins(allowed))
  const withCors = cors({
    origin: (origin) => (origins.has(origin) ? origin : null),
    credentials: true,
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Content-Type', IDEMPOTENCY_KEY_HEADER, 'Last-Event-ID'],
    exposeHeaders: [REQUEST_ID_HEADER, 'Retry-After', IDEMPOTENT_REPLAYED_HEADER],
    maxAge: 600,
  })
  return async function corsAllowlist(c, next) {
    const origin = c.req.header('Origin')
    if (origin === undefined || !origins.has(origin)) {
      await next()
      // Caches must not hand an answer made for one origin to a page on another.
      if (origins.size > 0) c.res.headers.append('Vary', 'Origin')
      return
    }
    return withCors(c, next)
  }
}
