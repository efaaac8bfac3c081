/**
 * The origin a browser sees for the BFF: what the same-site check compares a write's `Origin`
 * with. Behind a load balancer that ends TLS the BFF hears `http://10.0.0.5:8787/…` while the
 * page is on `https://app.example.com`; the proxy says so in `X-Forwarded-Proto` and
 * `X-Forwarded-Host`. Those headers are read only from proxies the host trusts (`serveShareflow`'s
 * `trustProxy`), since anyone can send them to a server that is reachable directly.
 *
 * @module
 */
import type { Context } from 'hono'

/**
 * The entry `trustProxy` hops from the right of a comma-separated forwarded header: the one the
 * outermost trusted proxy wrote when each appends, the only one when the proxy overwrites it
 * (as nginx's `proxy_set_header` does). Entries further left came from the client.
 */
function trustedEntry(header: string | null | undefined, trustProxy: number): string | undefined {
  const entries = (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  return entries.at(-Math.min(trustProxy, entries.length))
}

/**
 * The request's public origin: `url`'s own, or with `trustProxy` proxies of your own in front, the
 * scheme and host they forwarded (each falls back to `url`'s when not sent, or not well-formed).
 *
 * @example
 * // nginx ends TLS and sets X-Forwarded-Proto: https, X-Forwarded-Host: app.example.com
 * forwardedOrigin('http://10.0.0.5:8787/api/x', headers, 1) // 'https://app.example.com'
 */
export function forwardedOrigin(url: string, headers: Headers, trustProxy: number): string {
  const own = new URL(url)
  if (trustProxy <= 0) return own.origin
  const proto = trustedEntry(headers.get('x-forwarded-proto'), trustProxy)?.toLowerCase()
  const host = trustedEntry(headers.get('x-forwarded-host'), trustProxy)
  const scheme = proto === 'https' || proto === 'http' ? proto : own.protocol.slice(0, -1)
  try {
    // `URL` writes the host as a browser writes `Origin` (lower case, no default port); a host
    // that carries a path, credentials or a query is not one the proxy meant, so it is ignored.
    const forwarded = new URL(`${scheme}://${host ?? own.host}`)
    const onlyAHost =
      !forwarded.username && !forwarded.password && forwarded.pathname === '/' && !forwarded.search
    return onlyAHost && !forwarded.hash ? forwarded.origin : own.origin
  } catch {
    return own.origin
  }
}

/**
 * The bindings a Node adapter passes as `c.env` may carry the public origin it worked out
 * (`serveShareflow` does when `trustProxy` is set); otherwise it is the request URL's own.
 */
export function publicOrigin(c: Context): string {
  const env = typeof c.env === 'object' ? (c.env as { publicOrigin?: unknown } | null) : null
  return typeof env?.publicOrigin === 'string' ? env.publicOrigin : new URL(c.req.url).origin
}
