/**
 * `POST /payouts`, `GET /payouts/:id`, `GET /payouts`: the user's payouts. The work is in
 * `../service.ts`; this file checks the request and answers in the contract's shapes.
 *
 * @module
 */
import {
  CreatePayoutRequest,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyKey,
  Payout,
  PayoutList,
  routes,
} from '@shareflow/contract'
import type { Hono } from 'hono'
import { z } from 'zod'
import { ApiError, fieldsFromIssues, validate } from '../../errors'
import { HistoryCursor } from '../journal'
import type { ShareflowEnv } from '../../request-context'
import { requireUser, signedIn } from '../../user'
import type { PayoutService } from '../service'

const HistoryQuery = z.strictObject({
  before: HistoryCursor.optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
})

/** The request's Idempotency-Key: required on every payout, one per payout intent. */
function idempotencyKeyOf(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new ApiError(
      'idempotency_key_missing',
      `Send an ${IDEMPOTENCY_KEY_HEADER} header with each payout, so a retry never pays twice.`,
    )
  }
  const parsed = IdempotencyKey.safeParse(header)
  if (!parsed.success) {
    throw new ApiError('invalid_request', `The ${IDEMPOTENCY_KEY_HEADER} header is not valid.`, {
      fields: fieldsFromIssues(parsed.error.issues).map((field) => ({
        ...field,
        path: IDEMPOTENCY_KEY_HEADER,
      })),
    })
  }
  return parsed.data
}

export function registerPayoutRoutes(app: Hono<ShareflowEnv>, payouts: PayoutService): void {
  // Who is asking comes first, then the key (a client that forgot it hears that before any
  // complaint about the body), then the body.
  app.post(
    routes.payouts,
    signedIn,
    async (c, next) => {
      idempotencyKeyOf(c.req.header(IDEMPOTENCY_KEY_HEADER))
      await next()
    },
    validate('json', CreatePayoutRequest),
    async (c) => {
      const user = await requireUser(c)
      payouts.resumeDueSoon()
      const { payout, replayed } = await payouts.request({
        userId: user.id,
        idempotencyKey: idempotencyKeyOf(c.req.header(IDEMPOTENCY_KEY_HEADER)),
        body: c.req.valid('json'),
        calls: c.var.calls,
      })
      if (replayed) c.header(IDEMPOTENT_REPLAYED_HEADER, 'true')
      return c.json(Payout.parse(payout), replayed ? 200 : 201)
    },
  )

  app.get(routes.payouts, signedIn, validate('query', HistoryQuery), async (c) => {
    const user = await requireUser(c)
    payouts.resumeDueSoon()
    const { before, limit } = c.req.valid('query')
    const list = await payouts.list(user.id, {
      ...(before ? { before } : {}),
      ...(limit ? { limit } : {}),
    })
    return c.json(PayoutList.parse(list))
  })

  app.get(`${routes.payouts}/:id`, async (c) => {
    const user = await requireUser(c)
    payouts.resumeDueSoon()
    const payout = await payouts.get(user.id, c.req.param('id'), c.var.calls)
    // Someone else's payout and no payout at all look the same from here.
    if (payout === null) throw new ApiError('not_found', 'There is no such payout.')
    return c.json(Payout.parse(payout))
  })
}
