/**
 * The user's payout destinations: `GET /destinations` (masked, with the speeds each allows), and
 * for hosts that build their own forms `POST /destinations/iban | pix | card` and
 * `DELETE /destinations/:id`. Cards arrive as a token from Coinflow's tokenizer: a raw card
 * number never reaches the BFF. Account numbers go to Coinflow and nowhere else: not the store,
 * not the log, not the response.
 *
 * @module
 */
import {
  AddCardRequest,
  AddIbanRequest,
  AddPixRequest,
  DestinationList,
  routes,
} from '@shareflow/contract'
import type { Context, Hono } from 'hono'
import { ApiError, validate } from '../../errors'
import type { ShareflowEnv } from '../../request-context'
import { requireUser, signedIn } from '../../user'
import type { PayoutService } from '../service'

/** Coinflow's refusals of a new account, as something the user can fix. */
function refusal(status: number, kind: 'iban' | 'pix' | 'card'): ApiError {
  switch (status) {
    case 401:
      return new ApiError(
        'kyc_required',
        'Verify your identity before adding a payout destination.',
      )
    case 451:
      return new ApiError(
        'verification_required',
        'Finish verifying your identity before adding a payout destination.',
      )
    case 412:
      return new ApiError('invalid_request', 'This card needs a billing address on file.', {
        fields: [{ path: 'address', message: 'Required for this card' }],
      })
    case 426:
      return new ApiError('invalid_request', 'This bank needs a BIC (SWIFT code) as well.', {
        fields: [{ path: 'bic', message: 'Required for this IBAN' }],
      })
    default:
      if (status >= 500) {
        return new ApiError(
          'upstream_unavailable',
          'Payouts are not responding right now. Please try again shortly.',
        )
      }
      return new ApiError(
        'invalid_request',
        kind === 'card'
          ? 'This card cannot receive payouts.'
          : kind === 'pix'
            ? 'That PIX key was not accepted.'
            : 'Those account details were not accepted.',
      )
  }
}

export function registerDestinationRoutes(app: Hono<ShareflowEnv>, payouts: PayoutService): void {
  /** Answers with the user's fresh list and tells their other tabs. */
  async function changed(c: Context<ShareflowEnv>, userId: string, status: 201 | 200) {
    payouts.destinations.forget(userId)
    const destinations = await payouts.destinations.list(userId, c.var.calls)
    try {
      await c.var.shareflow.events.publish(userId, { type: 'destinations.updated' })
    } catch (error) {
      c.var.logger.warn('destinations event not published', { error })
    }
    return c.json(DestinationList.parse({ destinations }), status)
  }

  app.get(routes.destinations, async (c) => {
    const user = await requireUser(c)
    const destinations = await payouts.destinations.list(user.id, c.var.calls)
    return c.json(DestinationList.parse({ destinations }))
  })

  app.post(routes.destinationsIban, signedIn, validate('json', AddIbanRequest), async (c) => {
    const user = await requireUser(c)
    const result = await c.var.coinflow.addIban(user.id, c.req.valid('json'))
    if (!result.ok) throw refusal(result.status, 'iban')
    return changed(c, user.id, 201)
  })

  app.post(routes.destinationsPix, signedIn, validate('json', AddPixRequest), async (c) => {
    const user = await requireUser(c)
    const result = await c.var.coinflow.addPix(user.id, c.req.valid('json'))
    if (!result.ok) throw refusal(result.status, 'pix')
    return changed(c, user.id, 201)
  })

  app.post(routes.destinationsCard, signedIn, validate('json', AddCardRequest), async (c) => {
    const user = await requireUser(c)
    const result = await c.var.coinflow.addCard(user.id, c.req.valid('json'))
    if (!result.ok) throw refusal(result.status, 'card')
    return changed(c, user.id, 201)
  })

  app.delete(`${routes.destinations}/:id`, async (c) => {
    const user = await requireUser(c)
    // Ownership first: an id that is not one of theirs is simply not found.
    const destination = await payouts.destinations.find(user.id, c.req.param('id'), c.var.calls)
    const result = await c.var.coinflow.deleteDestination(user.id, destination)
    if (!result.ok && result.status !== 404) {
      throw new ApiError(
        'upstream_unavailable',
        'That destination could not be removed right now. Please try again shortly.',
        {
          cause: new Error(`coinflow deleteDestination answered ${result.status}`),
        },
      )
    }
    return changed(c, user.id, 200)
  })
}
