/**
 * One error model for every BFF route: throw `ApiError(code, message, extra?)` anywhere, and the
 * app's single `onError` answers with the contract's `ErrorEnvelope`. A store outage
 * (`StoreUnavailableError`) becomes `upstream_unavailable` with `Retry-After`; anything else that
 * escapes a handler becomes `internal` with a generic sentence; the cause goes to the log under the
 * request id, never into the response.
 *
 * @module
 */
import {
  ErrorEnvelope,
  errorStatus,
  REQUEST_ID_HEADER,
  type ErrorCode,
  type FieldError,
} from '@shareflow/contract'
import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { validator } from 'hono/validator'
import type { z } from 'zod'
import type { Logger } from './logger'
import { StoreUnavailableError } from './store/types'

export interface ApiErrorExtra {
  /** Which inputs failed validation (`invalid_request`). */
  fields?: FieldError[]
  /** Seconds the client should wait (`rate_limited`, `upstream_unavailable`); also `Retry-After`. */
  retryAfterSeconds?: number
  /** Where the user must go next (`verification_required`). */
  verificationLink?: string
  /** The underlying failure, for the log only. */
  cause?: unknown
}

/**
 * An error a user may see. `message` must be a sentence fit for the user: no vendor text, no
 * secrets, no PII. The HTTP status follows from `code` (the contract's `errorStatus`).
 *
 * @example throw new ApiError('kyc_required', 'Verify your identity before withdrawing.')
 */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly status: (typeof errorStatus)[ErrorCode]
  readonly extra: ApiErrorExtra

  constructor(code: ErrorCode, message: string, extra: ApiErrorExtra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'ApiError'
    this.code = code
    this.status = errorStatus[code]
    this.extra = extra
  }
}

/** Builds the envelope body for `error` under `requestId` (validated, so a bad one fails tests). */
function toEnvelope(error: ApiError, requestId: string): ErrorEnvelope {
  return ErrorEnvelope.parse({
    error: {
      code: error.code,
      message: error.message,
      requestId,
      ...(error.extra.fields ? { fields: error.extra.fields } : {}),
      ...(error.extra.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: error.extra.retryAfterSeconds }),
      ...(error.extra.verificationLink ? { verificationLink: error.extra.verificationLink } : {}),
    },
  })
}

/** The request id of `c`, set by the app's first middleware; `unknown` only outside the app. */
function requestIdOf(c: Context): string {
  return (
    (c.get('requestId') as string | undefined) ?? c.res.headers.get(REQUEST_ID_HEADER) ?? 'unknown'
  )
}

/** Answers `error` in the envelope, with the request id header and `Retry-After` when known. */
export function errorResponse(c: Context, error: ApiError): Response {
  const requestId = requestIdOf(c)
  const headers: Record<string, string> = { [REQUEST_ID_HEADER]: requestId }
  if (error.extra.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(error.extra.retryAfterSeconds)
  }
  return c.json(toEnvelope(error, requestId), error.status, headers)
}

/** Hono's own exceptions (malformed JSON, wrong Content-Type, body limit) in our vocabulary. */
function fromHttpException(exception: HTTPException): ApiError {
  switch (exception.status) {
    case 400:
      return new ApiError('invalid_request', 'The request body is not valid JSON.', {
        cause: exception,
      })
    case 401:
      return new ApiError('unauthenticated', 'Sign in to continue.', { cause: exception })
    case 404:
      return new ApiError('not_found', 'There is nothing here.', { cause: exception })
    case 413:
      return new ApiError('payload_too_large', 'The request body is too large.', {
        cause: exception,
      })
    default:
      return new ApiError('internal', 'Something went wrong on our side.', { cause: exception })
  }
}

/** `cause` or what it was caused by, a few levels down, when one is a `StoreUnavailableError`. */
function storeOutage(cause: unknown): StoreUnavailableError | undefined {
  for (let at = cause, depth = 0; at instanceof Error && depth < 5; at = at.cause, depth++) {
    if (at instanceof StoreUnavailableError) return at
  }
  return undefined
}

/** A store outage, as the user hears it: nothing was lost, come back in a few seconds. */
function fromStoreOutage(outage: StoreUnavailableError, cause: unknown): ApiError {
  return new ApiError(
    'upstream_unavailable',
    'We cannot reach our records right now. Nothing was lost; please try again in a moment.',
    { retryAfterSeconds: outage.retryAfterSeconds, cause },
  )
}

/**
 * The app's one `onError`: `ApiError` answers as itself, Hono exceptions are mapped, anything
 * else is `internal`. Server-side failures are logged at `error`, user mistakes at `info`.
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return function onError(cause, c) {
    const outage = cause instanceof ApiError ? undefined : storeOutage(cause)
    const error =
      cause instanceof ApiError
        ? cause
        : outage
          ? fromStoreOutage(outage, cause)
          : cause instanceof HTTPException
            ? fromHttpException(cause)
            : new ApiError('internal', 'Something went wrong on our side.', { cause })
    const fields = {
      requestId: requestIdOf(c),
      method: c.req.method,
      path: c.req.path,
      code: error.code,
      status: error.status,
      cause: error.extra.cause,
    }
    if (error.status >= 500) logger.error('request failed', fields)
    else logger.info('request refused', fields)
    return errorResponse(c, error)
  }
}

/** Unknown routes answer `not_found` in the envelope rather than Hono's plain-text 404. */
export const notFound: NotFoundHandler = (c) =>
  errorResponse(c, new ApiError('not_found', 'There is nothing here.'))

const MAX_FIELD_MESSAGE = 200

/** Zod issues as contract `FieldError`s; messages are zod's generic ones and never echo values. */
export function fieldsFromIssues(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message.slice(0, MAX_FIELD_MESSAGE),
  }))
}

/** `value` checked by `schema`, or `invalid_request` with the failing fields. */
function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value)
  if (!result.success) {
    throw new ApiError('invalid_request', 'Some fields are missing or invalid.', {
      fields: fieldsFromIssues(result.error.issues),
    })
  }
  return result.data
}

type Target = 'json' | 'query' | 'param' | 'header'

/**
 * The one validation hook: parses `target` with `schema` and answers `invalid_request` in the
 * envelope (never zod's raw output). Use `c.req.valid(target)` in the handler.
 *
 * @example app.post(routes.quotes, validate('json', QuoteRequest), (c) => c.req.valid('json'))
 */
export function validate<T extends Target, S extends z.ZodType>(target: T, schema: S) {
  return validator(target, (value): z.output<S> => parseInput(schema, value))
}

/**
 * Parses `text` as JSON and checks it with `schema`; `invalid_request` (with `fields`) otherwise.
 * For bodies read raw: webhooks (verified on their bytes first) and optional bodies.
 */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new ApiError('invalid_request', 'The request body is not valid JSON.', { cause })
  }
  return parseInput(schema, value)
}

/**
 * For routes whose body is optional (`POST /kyc/share`): an absent or empty body is `{}`; anything
 * else must be JSON matching `schema`. Unknown keys are refused by strict schemas, so a browser
 * cannot smuggle a user id in.
 */
export function optionalJsonBody<S extends z.ZodType>(schema: S): MiddlewareHandler {
  return async function optionalJsonBody(c, next) {
    const text = await c.req.text()
    parseJsonText(text.trim() === '' ? '{}' : text, schema)
    await next()
  }
}
