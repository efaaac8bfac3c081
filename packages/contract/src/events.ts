import { z } from 'zod'
import { KycStatus } from './kyc'
import { Payout } from './payouts'

/**
 * Events on the user's `GET /events` Server-Sent Events stream. Each SSE message has
 * `event: <type>`, an `id` for `Last-Event-ID` resumption, and this object as JSON `data`.
 */
export const ShareflowEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('kyc.updated'), kyc: KycStatus }),
  z.strictObject({ type: z.literal('payout.updated'), payout: Payout }),
  z.strictObject({ type: z.literal('destinations.updated') }),
])
export type ShareflowEvent = z.infer<typeof ShareflowEvent>
export type ShareflowEventType = ShareflowEvent['type']
