/**
 * `@shareflow/server/express`: mounts the BFF in an Express app (4 or 5) with one call, whatever
 * body parsers the host registered, before or after.
 *
 * A webhook's signature is over its exact bytes, so the BFF must read the body as it arrived; a
 * host's `express.json()` in front would have drained the stream into a parsed object whose
 * bytes cannot be recovered (re-serialising changes spacing, key order, escapes). So the call
 * puts a small reader at the very front of the host's stack that, for requests under the mount
 * path only, keeps the body's bytes (up to the BFF's ceiling) and marks the request read, which
 * every body-parser honours. The BFF itself answers where the call was made, so the host's own
 * middleware registered before it (sessions, auth) has run when `getUser` reads `c.env.incoming`.
 *
 * @example
 * const host = express()
 * host.use(express.json())
 * host.use(session(...))
 * shareflowExpress(host, { path: '/api/shareflow', shareflow: app })
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  maxBodyBytesOf,
  shareflowListener,
  type ShareflowFetchApp,
  type WithRawBody,
} from './hosts/listener'

export type { HostedBindings, ShareflowFetchApp } from './hosts/listener'

type Next = (error?: unknown) => void
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void

interface Layer {
  handle?: unknown
  name?: string
}

/**
 * An Express application or `express.Router()`, typed by the little this module uses, so no
 * `@types/express` is needed to call it.
 */
export interface ExpressAppLike {
  use(...args: never[]): unknown
}

export interface ShareflowExpressOptions {
  /** Where the BFF answers, e.g. `/api/shareflow` (the browser kit's `baseUrl`). */
  path: string
  /** The Shareflow app, or a Hono app of yours that wraps it. */
  shareflow: ShareflowFetchApp
}

/** Express's own first layers (Express 4), which must still run first. */
const BUILT_IN = new Set(['query', 'expressInit'])

function stackOf(host: ExpressAppLike): Layer[] {
  const candidate = host as { _router?: { stack?: unknown }; stack?: unknown; router?: unknown }
  // Express 4 keeps its router in `_router` (and `app.router` throws there); Express 5 in
  // `router`; a Router is its own.
  const router =
    candidate._router ??
    ('stack' in candidate ? candidate : (candidate.router as { stack?: unknown } | undefined))
  if (!router || !Array.isArray(router.stack)) {
    throw new TypeError('shareflowExpress: pass your Express application or an express.Router().')
  }
  return router.stack as Layer[]
}

/**
 * Mounts the BFF at `path`. Call it once, where the BFF should answer among your routes; the body
 * reader goes to the front of `host`'s stack by itself. Pass the application (or the router your
 * parsers are registered on), with the full path from there.
 *
 * The per-address rate limit reads `req.ip`, so set Express's `trust proxy` to your own proxies.
 */
export function shareflowExpress(host: ExpressAppLike, options: ShareflowExpressOptions): void {
  const { path, shareflow } = options
  if (!path.startsWith('/')) throw new TypeError('shareflowExpress: path must start with "/".')
  const listener = shareflowListener(shareflow, (incoming) => (incoming as { ip?: string }).ip)
  const limit = maxBodyBytesOf(shareflow)

  const keepRawBody: Middleware = (req, res, next) => {
    const request = req as WithRawBody & { _body?: boolean }
    if (req.method === 'GET' || req.method === 'HEAD' || Buffer.isBuffer(request.rawBody)) {
      return next()
    }
    const declared = Number(req.headers['content-length'])
    // Too large by its header: the BFF refuses it from the header alone, nothing read.
    if (declared > limit && req.headers['transfer-encoding'] === undefined) {
      return void listener(req, res)
    }
    const chunks: Buffer[] = []
    let size = 0
    const stop = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) {
        // Past the ceiling: the BFF counts these bytes and answers 413; the rest is never kept.
        stop()
        req.pause()
        request.rawBody = Buffer.concat(chunks)
        void listener(req, res)
      }
    }
    const onEnd = () => {
      stop()
      request.rawBody = Buffer.concat(chunks)
      // body-parser 1 (Express 4) skips a request marked read; 2 (Express 5) one whose stream ended.
      request._body = true
      next()
    }
    const onError = (error: unknown) => {
      stop()
      next(error)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  }

  const use = host.use.bind(host) as (path: string, handler: Middleware) => unknown
  use(path, keepRawBody)
  // After `use`: Express 4 creates its router on the first one.
  const stack = stackOf(host)
  const at = stack.findIndex((layer) => layer.handle === keepRawBody)
  if (at === -1) throw new TypeError('shareflowExpress: could not find its layer in the stack.')
  const [layer] = stack.splice(at, 1)
  const first = stack.findIndex((existing) => !BUILT_IN.has(existing.name ?? ''))
  stack.splice(first === -1 ? stack.length : first, 0, layer!)

  const answer: Middleware = (req, res) => void listener(req, res)
  use(path, answer)
}
