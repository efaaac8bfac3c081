/**
 * How a vendor's failures become `ApiError`s, in one place per vendor: outages, unexpected
 * statuses and bodies that do not match what the vendor documents all become
 * `upstream_unavailable` with a sentence for the user; the vendor's own words go to the log as
 * the error's cause, never to the browser.
 *
 * @module
 */
import type { z } from 'zod'
import { ApiError } from '../errors'
import {
  UpstreamError,
  type UpstreamCallCounter,
  type UpstreamRequest,
  type UpstreamResponse,
  type UpstreamTransport,
  type Vendor,
} from './http'

export interface UpstreamFailures {
  /** The user-facing error for an outage; `cause` is logged. */
  unavailable(cause: unknown): ApiError
  /** A status the client does not expect for `operation`. */
  unexpected(operation: string, response: UpstreamResponse): ApiError
  /** `response.body` parsed by `schema`, or `unavailable` when the vendor sent something else. */
  parse<S extends z.ZodType>(schema: S, response: UpstreamResponse, operation: string): z.output<S>
  /**
   * `transport.send` counting on `counter` and given up when `signal` aborts, with an outage
   * (`UpstreamError`) as `unavailable`. A function for `signal` is asked at each call, so a
   * request that makes no call never builds one.
   */
  sender(
    transport: UpstreamTransport,
    counter: UpstreamCallCounter | undefined,
    signal?: AbortSignal | (() => AbortSignal),
  ): (request: UpstreamRequest) => Promise<UpstreamResponse>
}

/**
 * True when `error` is a vendor's own 5xx answer after every retry (not a timeout or a dropped
 * connection). Persona stores such an answer under the request's Idempotency-Key and replays it
 * for 24 h, so asking again needs a new key; after a timeout the first request may still have
 * succeeded, so the key stays.
 */
export function isReplayedServerError(error: unknown): boolean {
  const cause = error instanceof ApiError ? error.cause : undefined
  return (
    cause instanceof UpstreamError &&
    cause.kind === 'status' &&
    cause.status !== null &&
    cause.status >= 500
  )
}

export function upstreamFailures(vendor: Vendor, userMessage: string): UpstreamFailures {
  const unavailable = (cause: unknown) =>
    new ApiError('upstream_unavailable', userMessage, {
      // The breaker knows when the vendor is tried again; the user is told exactly that.
      ...(cause instanceof UpstreamError && cause.retryAfterMs !== undefined
        ? { retryAfterSeconds: Math.max(1, Math.ceil(cause.retryAfterMs / 1000)) }
        : {}),
      cause,
    })
  return {
    unavailable,
    unexpected: (operation, response) =>
      unavailable(new Error(`${vendor} ${operation}: unexpected status ${response.status}`)),
    parse(schema, response, operation) {
      const result = schema.safeParse(response.body)
      if (!result.success) {
        throw unavailable(
          new Error(`${vendor} ${operation}: unexpected ${response.status} body`, {
            cause: result.error,
          }),
        )
      }
      return result.data
    },
    sender: (transport, counter, signal) => async (request) => {
      try {
        return await transport.send(
          request,
          counter,
          typeof signal === 'function' ? signal() : signal,
        )
      } catch (error) {
        throw error instanceof UpstreamError ? unavailable(error) : error
      }
    },
  }
}
