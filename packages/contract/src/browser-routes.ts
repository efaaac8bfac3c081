/**
 * The routes a browser calls, relative to wherever the host mounts the BFF (the demo uses
 * `/api/shareflow`), and the headers it sends and reads. Kept apart from `routes` (which spreads
 * these) because a bundler cannot drop an object's unused properties: the React kit imports only
 * this module, and pays for none of the server's own routes.
 */
export const browserRoutes = {
  session: '/session',
  events: '/events',
  kycShare: '/kyc/share',
  kycInquiry: '/kyc/inquiry',
  destinations: '/destinations',
  balance: '/balance',
  quotes: '/quotes',
  payouts: '/payouts',
  payout: (id: string) => `/payouts/${encodeURIComponent(id)}`,
} as const

/** Response header carrying the request id that also appears in error bodies and logs. */
export const REQUEST_ID_HEADER = 'X-Request-Id'
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key'
/** Response header on a `POST /payouts` answered from an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed'
