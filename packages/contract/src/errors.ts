import { z } from 'zod'

/**
 * The closed set of error codes the BFF answers with. Components switch on `code` and end with
 * `code satisfies never`, so adding one is a breaking change on purpose.
 */
export const ErrorCode = z.enum([
  /** The body, query or a header failed validation; `fields` says where. */
  'invalid_request',
  /** The host's `getUser` found no signed-in user. */
  'unauthenticated',
  /** A cross-site write without a trusted Origin, or an action this user may not take. */
  'forbidden',
  /** No such route or resource for this user. */
  'not_found',
  /** The request body is larger than the BFF accepts. */
  'payload_too_large',
  /** The same Idempotency-Key was used with a different body. */
  'idempotency_key_reused',
  /** A write needs an `Idempotency-Key` header and none was sent. */
  'idempotency_key_missing',
  /** The state changed underneath the request (e.g. a share already in flight); retry later. */
  'conflict',
  /** Too many requests from this user or address; retry after `retryAfterSeconds`. */
  'rate_limited',
  /** The user must (re)verify before this action: start or resume the KYC gate. */
  'kyc_required',
  /** Coinflow needs more information; the user must open `verificationLink`. */
  'verification_required',
  /** The destination id is not one of this user's linked destinations. */
  'destination_not_found',
  /** The amount, currency or speed is not allowed for this destination. */
  'amount_not_allowed',
  /**
   * The payout's terms (its fee) are no longer the ones the user was shown; nothing was debited.
   * Show the fresh quote and let the user confirm again.
   */
  'quote_changed',
  /** The host refused the payout (e.g. insufficient balance); `message` is the host's reason. */
  'payout_refused',
  /** Payouts are temporarily unavailable (e.g. the merchant balance is empty). */
  'payouts_unavailable',
  /** A vendor is down or too slow; nothing was lost, retry later. */
  'upstream_unavailable',
  /** Anything else. Details are in the server log under `requestId`, never in the response. */
  'internal',
])
export type ErrorCode = z.infer<typeof ErrorCode>

export const FieldError = z.strictObject({
  /** Dotted path of the offending field, e.g. `amount.cents`. */
  path: z.string(),
  message: z.string(),
})
export type FieldError = z.infer<typeof FieldError>

/** The one error envelope every BFF route answers with. */
export const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    code: ErrorCode,
    /** A sentence a user may read. Never vendor text, secrets or PII. */
    message: z.string(),
    requestId: z.string(),
    fields: z.array(FieldError).optional(),
    /** Present on `rate_limited`. */
    retryAfterSeconds: z.int().min(0).optional(),
    /** Present on `verification_required`. */
    verificationLink: z.url().optional(),
  }),
})
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>

/** HTTP status the BFF uses for each code. */
export const errorStatus = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  idempotency_key_missing: 400,
  conflict: 409,
  rate_limited: 429,
  kyc_required: 403,
  verification_required: 451,
  destination_not_found: 404,
  amount_not_allowed: 422,
  quote_changed: 409,
  payout_refused: 402,
  payouts_unavailable: 503,
  upstream_unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorCode, number>
