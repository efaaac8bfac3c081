/**
 * The same-site check for writes: browsers mark cross-site requests, and a write from another site
 * (a forged form or fetch riding on the host's session cookie) is refused. Webhooks come from
 * servers and carry their own proof. "Another site" is judged against the origin the browser sees,
 * which behind a trusted proxy that ends TLS is the proxy's (`public-origin.ts`).
 *
 * @module
 */
import { routes } from '@shareflow/contract'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors'
import { publicOrigin } from './public-origin'

const isWebhook = (path: string) =>
  path.endsWith(routes.webhooksPersona) || path.endsWith(routes.webhooksCoinflow)

/** Whether a request is checked (and may be refused `forbidden`); the OpenAPI document asks too. */
export const checksSameSite = (method: string, path: string) =>
  !['GET', 'HEAD'].includes(method.toUpperCase()) && !isWebhook(path)

/**
 * @param trustedOrigins Origins besides the BFF's own whose pages may make writes.
 * @example app.use(sameSiteWrites(['https://app.example.com']))
 */
export function sameSiteWrites(trustedOrigins: readonly string[]): MiddlewareHandler {
  return async function sameSiteWrites(c, next) {
    if (!checksSameSite(c.req.method, c.req.path)) return next()
    const origin = c.req.header('Origin')
    const fromAnotherSite =
      c.req.header('Sec-Fetch-Site') === 'cross-site' || (!!origin && origin !== publicOrigin(c))
    if (fromAnotherSite && !(origin && trustedOrigins.includes(origin))) {
      throw new ApiError('forbidden', 'This request must come from the app itself.')
    }
    return next()
  }
}
