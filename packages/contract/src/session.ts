import { z } from 'zod'
import { Destination } from './destinations'
import { KycStatus } from './kyc'

export const CoinflowEnv = z.enum(['prod', 'sandbox', 'staging', 'staging-live', 'local'])
export type CoinflowEnv = z.infer<typeof CoinflowEnv>

/** What a browser needs to frame Coinflow's hosted withdraw / bank-authentication page. */
export const CoinflowBrowserSession = z.strictObject({
  /** Short-lived (≤ 30 min), user-scoped; safe in a browser by Coinflow's design. */
  sessionKey: z.string(),
  merchantId: z.string(),
  env: CoinflowEnv,
  /** Origin of Coinflow's hosted pages for `env`; the only origin whose messages are trusted. */
  origin: z.url(),
  expiresAt: z.iso.datetime(),
})
export type CoinflowBrowserSession = z.infer<typeof CoinflowBrowserSession>

/** `GET /session`: everything a mounted gate needs, in one round trip. */
export const Session = z.strictObject({
  user: z.strictObject({ id: z.string() }),
  kyc: KycStatus,
  destinations: z.array(Destination),
  /** Present only when `kyc.state` is `approved`. */
  coinflow: CoinflowBrowserSession.nullable(),
})
export type Session = z.infer<typeof Session>
