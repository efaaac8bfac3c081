/**
 * A payout request as the kit sends it: at the fee the quote on the user's screen shows. Tests
 * that post payouts over HTTP quote first, as a browser does, unless the body already names a fee
 * or is not a payout request at all (bad-input tests send exactly what they mean to).
 */
import { CreatePayoutRequest, Quote, type QuoteRequest } from '@shareflow/contract'

const Unpriced = CreatePayoutRequest.omit({ fee: true })

/** `body` with the fee `quote` shows for it; unchanged when it has one or is not a request. */
export async function withShownFee(
  quote: (request: QuoteRequest) => Response | Promise<Response>,
  body: unknown,
): Promise<unknown> {
  const request = Unpriced.safeParse(body)
  if (!request.success || (typeof body === 'object' && body !== null && 'fee' in body)) return body
  const { amount, destinationId, speed } = request.data
  const response = await quote({ amount, destinationId })
  // No quote to show (a destination that is not the user's, an amount over every limit): the
  // payout is refused before any fee is compared, so the fee sent does not matter.
  const shown = response.ok
    ? Quote.parse(await response.json()).options.find((option) => option.speed === speed)?.fee
    : undefined
  return { ...request.data, fee: shown ?? { cents: 0, currency: amount.currency } }
}
