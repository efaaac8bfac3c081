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
  declare readonly code: ErrorCode
  declare readonly status: number
  /** Quote it to support: it is in the BFF's log line for this request. */
  declare readonly requestId: string | undefined
  declare readonly fields: FieldError[] | undefined
  declare readonly retryAfterSeconds: number | undefined
  declare readonly verificationLink: string | undefined

  constructor({ message, cause, ...details }: ShareflowErrorInit) {
    super(message, { cause })
    this.name = 'ShareflowError'
    Object.assign(this, details)
  }

  /** Whether trying the same call again later can succeed. */
  get retryable(): boolean {
    return this.status === 0 || transient.includes(this.code)
  }
}

const transient: ErrorCode[] = [
  'upstream_unavailable',
  'rate_limited',
  'conflict',
  'internal',
  'payouts_unavailable',
]

/**
 * How long to wait before trying `error`'s call again, after `failures` failures. The BFF's
 * `Retry-After` (`retryAfterSeconds`) when it gave one: it knows when the user's place in a
 * vendor's queue comes up. Otherwise exponential backoff from one second. Either plus up to a
 * fifth more at random, so a crowd told the same second does not come back in step.
 *
 * @example useMutation({ mutationFn, retry: (n, e) => n < 10 && !!e.retryAfterSeconds, retryDelay: retryDelayMs })
 */
export function retryDelayMs(failures: number, error: unknown): number {
  const asked = (error as ShareflowError | undefined)?.retryAfterSeconds
  return (asked ? asked * 1000 : 500 * 2 ** failures) * (1 + Math.random() / 5)
}
