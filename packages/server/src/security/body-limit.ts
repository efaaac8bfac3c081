/**
 * The request body ceiling: a body over `maxSize` (webhooks included) is refused with 413 in the
 * error envelope, before it is read.
 *
 * Hono's `bodyLimit` reads `c.req.raw.body`, which makes `@hono/node-server` build a full
 * `Request` (headers copied, an `AbortController`) for every request, reads included; so reads,
 * which carry no body, skip it, and a declared `Content-Length` is checked from the header alone.
 * Only a chunked body is counted as it streams in.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ApiError, errorResponse } from '../errors'

/** Whether a request's body is limited (and may be refused 413); the OpenAPI document asks too. */
export const limitsBody = (method: string) => !['GET', 'HEAD'].includes(method.toUpperCase())

/** @example app.use(limitBodies(64 * 1024)) */
export function limitBodies(maxSize: number): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    errorResponse(c, new ApiError('payload_too_large', 'The request body is too large.'))
  const streamed = bodyLimit({ maxSize, onError: tooLarge })
  return async function limitBodies(c, next) {
    if (!limitsBody(c.req.method)) return next()
    const declared = c.req.header('Content-Length')
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number.parseInt(declared, 10) > maxSize ? tooLarge(c) : next()
    }
    return streamed(c, next)
  }
}
