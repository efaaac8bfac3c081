/**
 * `POST /quotes`: every speed a destination allows for an amount, with fee, what the user
 * receives, limit and expected delivery (`../quotes.ts`).
 *
 * @module
 */
import { Quote, QuoteRequest, routes } from '@shareflow/contract'
import type { Hono } from 'hono'
import { validate } from '../../errors'
import type { ShareflowEnv } from '../../request-context'
import { requireUser, signedIn } from '../../user'
import type { PayoutService } from '../service'

export function registerQuoteRoutes(app: Hono<ShareflowEnv>, payouts: PayoutService): void {
  app.post(routes.quotes, signedIn, validate('json', QuoteRequest), async (c) => {
    const user = await requireUser(c)
    const quote = await payouts.quote(user.id, c.req.valid('json'), c.get('calls'))
    return c.json(Quote.parse(quote))
  })
}
