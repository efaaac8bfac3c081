/**
 * The request body ceiling: a body over `maxSize` (webhooks included) is refused with 413 in the
 * error envelope, before it is read.
 *
 * Hono's `bodyLimit` reads `c.req.raw.body`, which makes `@hono/node-server` build a full
 * `Request` (headers copied, an `AbortController`) for every request, reads included; so reads,
 * which carry no body, skip it, and a declared `Content-Length` is checked from the header alone.
 * Only a chunked body is counted as it streams in, and the request is then rebuilt from its parts
 * rather than with Hono's `new Request(c.req.raw, …)`: `@hono/node-server`'s request is a
 * stand-in that only its own `Request` class (which it would put on the global object, breaking
 * hosts like Next.js) can copy; the standard one answers 500.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError, errorResponse } from '../errors'

/** Whether a request's body is limited (and may be refused 413); the OpenAPI document asks too. */
export const limitsBody = (method: string) => !['GET', 'HEAD'].includes(method.toUpperCase())

/** @example app.use(limitBodies(64 * 1024)) */
export function limitBodies(maxSize: number): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    errorResponse(c, new ApiError('payload_too_large', 'The request body is too large.'))
  return async function limitBodies(c, next) {
    if (!limitsBody(c.req.method)) return next()
    const declared = c.req.header('Content-Length')
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number.parseInt(declared, 10) > maxSize ? tooLarge(c) : next()
    }
    const raw = c.req.raw
    if (!raw.body) return next()
    const chunks: Uint8Array[] = []
    let size = 0
    const reader = raw.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxSize) {
        await reader.cancel()
        return tooLarge(c)
      }
      chunks.push(value)
    }
    const body = new Uint8Array(size)
    let at = 0
    for (const chunk of chunks) {
      body.set(chunk, at)
      at += chunk.byteLength
    }
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body,
      signal: raw.signal,
    })
    return next()
  }
}
