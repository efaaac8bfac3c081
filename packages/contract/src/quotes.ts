import { z } from 'zod'
import { Destination, Speed } from './destinations'
import { Money, PositiveMoney } from './money'

export const QuoteRequest = z.strictObject({
  amount: PositiveMoney,
  destinationId: Destination.shape.id,
})
export type QuoteRequest = z.infer<typeof QuoteRequest>

export const UnavailableReason = z.enum([
  /** The amount is above this speed's limit. */
  'over_limit',
  /** The destination does not support this speed. */
  'not_supported',
  /** The fee would be more than the amount. */
  'fee_exceeds_amount',
])
export type UnavailableReason = z.infer<typeof UnavailableReason>

export const QuoteOption = z.strictObject({
  speed: Speed,
  /** The speed Coinflow will actually use (same_day above $1,000,000 becomes standard). */
  effectiveSpeed: Speed,
  available: z.boolean(),
  unavailableReason: UnavailableReason.optional(),
  fee: Money,
  /** What lands with the user: the amount less the user-paid fee. */
  receive: Money,
  limit: Money,
  expectedDeliveryAt: z.iso.datetime(),
})
export type QuoteOption = z.infer<typeof QuoteOption>

export const Quote = z.strictObject({
  amount: PositiveMoney,
  destinationId: Destination.shape.id,
  options: z.array(QuoteOption),
  quotedAt: z.iso.datetime(),
  /** After this the kit re-quotes before showing figures again. */
  expiresAt: z.iso.datetime(),
})
export type Quote = z.infer<typeof Quote>
