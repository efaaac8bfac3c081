import type { ErrorCode, FieldError } from '@shareflow/contract'

export interface ShareflowErrorInit {
  code: ErrorCode
  message: string
  /** HTTP status; `0` when the BFF could not be reached at all. */
  status: number
  requestId?: string
  fields?: FieldError[]
  retryAfterSeconds?: number
  verificationLink?: string
  cause?: unknown
}

/**
 * The one error the kit throws: every failed BFF call, whatever went wrong, with the contract's
 * closed `code`. Switch on `code` and end with `code satisfies never`.
 *
 * @example
 * try { await client.getSession() } catch (error) {
 *   if (error instanceof ShareflowError && error.code === 'unauthenticated') signIn()
 * }
 */
export class ShareflowError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Quote it to support: it is in the BFF's log line for this request. */
  readonly requestId: string | undefined
  readonly fields: FieldError[] | undefined
  readonly retryAfterSeconds: number | undefined
  readonly verificationLink: string | undefined

  constructor(init: ShareflowErrorInit) {
    super(init.message, { cause: init.cause })
    this.name = 'ShareflowError'
    this.code = init.code
    this.status = init.status
    this.requestId = init.requestId
    this.fields = init.fields
    this.retryAfterSeconds = init.retryAfterSeconds
    this.verificationLink = init.verificationLink
  }

  /** Whether trying the same call again later can succeed. */
  get retryable(): boolean {
    return (
      this.status === 0 ||
      this.code === 'upstream_unavailable' ||
      this.code === 'rate_limited' ||
      this.code === 'conflict' ||
      this.code === 'internal' ||
      this.code === 'payouts_unavailable'
    )
  }
}
