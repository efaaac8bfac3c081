/**
 * Who the compliance operator is, as the host's own staff auth says: `getOperator(c)` from the
 * host, like `getUser`. Nothing the browser sends decides it, and an end user's session is not
 * an operator's: the host answers `null` for anyone who is not staff.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from '../errors'

export interface ShareflowOperator {
  /** The host's stable staff id; journaled with every action. */
  id: string
}

export type GetOperator = (
  c: Context,
) => ShareflowOperator | null | Promise<ShareflowOperator | null>

export interface OperatorEnv {
  Variables: { operator: ShareflowOperator }
}

/** Middleware: refuses (403) anyone the host's `getOperator` does not name, before anything else. */
export function operatorsOnly(getOperator: GetOperator): MiddlewareHandler<OperatorEnv> {
  return async function operatorsOnly(c, next) {
    const found = await getOperator(c)
    const id = found && typeof found === 'object' ? found.id : undefined
    if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
      throw new ApiError('forbidden', 'This area is for the platform’s compliance staff.')
    }
    c.set('operator', { id })
    await next()
  }
}
