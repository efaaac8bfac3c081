/**
 * `GET /balance?currency=`: what the user may withdraw now, from the host's ledger
 * (`availableBalance`), so the kit can say an amount is too high while it is typed, before any
 * quote (`null` when the host does not tell).
 *
 * @module
 */
import { Balance, BalanceQuery, routes } from '@shareflow/contract'
import type { Hono } from 'hono'
import { validate } from '../../errors'
import type { ShareflowEnv } from '../../request-context'
import { requireUser, signedIn } from '../../user'
import type { PayoutService } from '../service'

export function registerBalanceRoutes(app: Hono<ShareflowEnv>, payouts: PayoutService): void {
  app.get(routes.balance, signedIn, validate('query', BalanceQuery), async (c) => {
    const user = await requireUser(c)
    const available = await payouts.availableBalance(user.id, c.req.valid('query').currency)
    return c.json(Balance.parse({ available }))
  })
}
