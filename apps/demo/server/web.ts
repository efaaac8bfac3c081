import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Context, MiddlewareHandler } from 'hono'

/** The placeholder Vite writes into every script tag (`html.cspNonce` in vite.config.ts); replaced per response. */
export const NONCE_PLACEHOLDER = 'SHAREFLOW_DEMO_NONCE'

/**
 * The page's Content Security Policy. Scripts run only with this response's nonce (and what they
 * load, through `strict-dynamic`), nothing inline; the only frame allowed is Coinflow's hosted
 * withdraw page; the page talks to its own origin only and cannot be framed itself.
 */
export function contentSecurityPolicy(options: { nonce: string; frameOrigins: readonly string[] }) {
  return [
    "default-src 'self'",
    `script-src 'nonce-${options.nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src ${options.frameOrigins.join(' ') || "'none'"}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
}

function securityHeaders(c: Context) {
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cross-Origin-Opener-Policy', 'same-origin-allow-popups')
}

/**
 * Serves the built frontend: hashed files under `/assets/` with long caching, and `index.html`
 * for every other page (the app routes on the client), stamped with a fresh nonce each time.
 */
export function serveFrontend(options: {
  distDir: string
  frameOrigins: readonly string[]
}): MiddlewareHandler {
  const { distDir, frameOrigins } = options
  const assetsDir = path.join(distDir, 'assets')
  let template: Promise<string> | undefined

  return async function serveFrontend(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
    const pathname = new URL(c.req.url).pathname
    if (pathname.startsWith('/api/')) return next()

    if (pathname.startsWith('/assets/')) {
      const file = path.join(assetsDir, decodeURIComponent(pathname.slice('/assets/'.length)))
      // Never serve anything outside the assets folder, whatever `..` the path carries.
      if (!file.startsWith(assetsDir + path.sep)) return next()
      const found = await stat(file).catch(() => null)
      if (!found?.isFile()) return next()
      securityHeaders(c)
      c.header('Content-Type', CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
      c.header('Cache-Control', 'public, max-age=31536000, immutable')
      return c.body(await readFile(file))
    }
    if (path.extname(pathname)) return next()

    template ??= readFile(path.join(distDir, 'index.html'), 'utf8')
    const nonce = randomBytes(18).toString('base64')
    securityHeaders(c)
    c.header('Content-Security-Policy', contentSecurityPolicy({ nonce, frameOrigins }))
    c.header('Cache-Control', 'no-store')
    return c.html((await template).replaceAll(NONCE_PLACEHOLDER, nonce))
  }
}
