import { z } from 'zod'
import { Destination, Speed } from './destinations'
import { Money, PositiveMoney } from './money'

/**
 * A payout's life, journaled durably step by step:
 * `accepted` → `authorized` (host debited the balance) → `submitted` (sent to Coinflow) →
 * `pending` (Coinflow accepted it) → `succeeded` | `failed` (by webhook or lookup).
 * A payout the host refused is `refused`; it never moved money.
 */
export const PayoutState = z.enum([
  'accepted',
  'authorized',
  'submitted',
  'pending',
  'succeeded',
  'failed',
  'refused',
])
export type PayoutState = z.infer<typeof PayoutState>

export const CreatePayoutRequest = z.strictObject({
  amount: PositiveMoney,
  speed: Speed,
  destinationId: Destination.shape.id,
  /**
   * The fee the user was shown for this amount, speed and destination (the quote option's `fee`).
   * The BFF pays only at these terms: when the fee a fresh quote gives differs, it answers
   * `quote_changed` and nothing is debited.
   */
  fee: Money,
})
export type CreatePayoutRequest = z.infer<typeof CreatePayoutRequest>

/** Header every `POST /payouts` must carry: one key per payout intent. */
export const IdempotencyKey = z
  .string()
  .min(8)
  .max(255)
  .regex(/^[A-Za-z0-9_.:-]+$/)

export const Payout = z.strictObject({
  id: z.string(),
  state: PayoutState,
  amount: PositiveMoney,
  /** The fee the user pays, once quoted by Coinflow. */
  fee: Money.optional(),
  speed: Speed,
  effectiveSpeed: Speed.optional(),
  destination: Destination.pick({ id: true, type: true, last4: true, label: true }),
  /** A sentence a user may read, when `failed` or `refused`. */
  failureReason: z.string().optional(),
  expectedDeliveryAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
})
export type Payout = z.infer<typeof Payout>

export const PayoutList = z.strictObject({
  payouts: z.array(Payout),
  /** Pass as `?before=` for the next (older) page. */
  nextCursor: z.string().optional(),
})
export type PayoutList = z.infer<typeof PayoutList>
