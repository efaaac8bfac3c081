import { NextResponse, type NextRequest } from 'next/server'
import { COINFLOW_UI_ORIGIN } from './lib/coinflow-origin'

/**
 * The page's strict Content-Security-Policy, with a fresh nonce per request. Next reads the nonce
 * from the request's `Content-Security-Policy` header and puts it on its own scripts; the kit
 * needs no inline script or style, and frames only Coinflow's hosted page.
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64')
  // `next dev` only: React's development build evaluates code, and Next's dev overlay styles its
  // elements inline. What `next start` serves needs neither.
  const dev = process.env.NODE_ENV === 'development'
  const policy = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    `style-src 'self'${dev ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    `frame-src ${COINFLOW_UI_ORIGIN}`,
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ')

  const headers = new Headers(request.headers)
  headers.set('x-nonce', nonce)
  headers.set('Content-Security-Policy', policy)
  const response = NextResponse.next({ request: { headers } })
  response.headers.set('Content-Security-Policy', policy)
  return response
}

export const config = {
  // Pages only: the BFF sets its own headers (`default-src 'none'`), and static files need none.
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
}
