/**
 * `shareflowRouteHandlers(app, { basePath })`: the BFF as the per-method exports of a file-system
 * route, such as Next.js App Router's `app/api/shareflow/[...path]/route.ts`. Such a route hands
 * over the request with its full path (`/api/shareflow/session`), while the BFF's routes are
 * relative to where it is mounted (`/session`); called straight, `app.fetch` answers every one of
 * them `not_found`. The handlers mount the app under `basePath` first.
 *
 * The app may be given as a function, called on the first request: `next build` imports every
 * route module to read its config, which must not start a store, an emulator or a timer.
 *
 * @example
 * // app/api/shareflow/[...path]/route.ts
 * export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = shareflowRouteHandlers(
 *   () => getShareflowApp(), // made once, on the first request
 *   { basePath: '/api/shareflow' },
 * )
 *
 * @module
 */
import { Hono } from 'hono'
import type { ShareflowApp } from './app'

export interface RouteHandlerOptions {
  /** The path the route's folder sits at, e.g. `/api/shareflow`: a leading slash, none trailing. */
  basePath: string
}

/** One request in, one response out: what a route module exports per HTTP method. */
export type RouteHandler = (request: Request) => Promise<Response>

export type ShareflowRouteHandlers = Record<
  'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS',
  RouteHandler
>

export function shareflowRouteHandlers(
  app: ShareflowApp | (() => ShareflowApp | Promise<ShareflowApp>),
  { basePath }: RouteHandlerOptions,
): ShareflowRouteHandlers {
  if (!/^(\/[^/?#]+)+$/.test(basePath)) {
    throw new TypeError(
      `basePath must be the route's path with a leading slash and none trailing, like "/api/shareflow" (got "${basePath}")`,
    )
  }
  let mounted: Promise<Hono> | undefined
  const mount = async () =>
    new Hono().route(basePath, typeof app === 'function' ? await app() : app)
  // OPTIONS too: a front end on another origin sends preflights, which the BFF answers itself.
  const handle: RouteHandler = async (request) => {
    // A failed start is not remembered, so the next request tries again.
    mounted ??= mount().catch((error: unknown) => {
      mounted = undefined
      throw error
    })
    return (await mounted).fetch(request)
  }
  return {
    GET: handle,
    HEAD: handle,
    POST: handle,
    PUT: handle,
    PATCH: handle,
    DELETE: handle,
    OPTIONS: handle,
  }
}
