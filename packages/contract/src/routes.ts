/**
 * The BFF's routes, relative to wherever the host mounts it (the demo uses `/api/shareflow`).
 * Client and server both import these, so a rename cannot leave one side behind.
 */
export const routes = {
  session: '/session',
  events: '/events',
  kycShare: '/kyc/share',
  kycInquiry: '/kyc/inquiry',
  destinations: '/destinations',
  destinationsIban: '/destinations/iban',
  destinationsPix: '/destinations/pix',
  destinationsCard: '/destinations/card',
  quotes: '/quotes',
  payouts: '/payouts',
  payout: (id: string) => `/payouts/${encodeURIComponent(id)}`,
  openapi: '/openapi.json',
  webhooksPersona: '/webhooks/persona',
  webhooksCoinflow: '/webhooks/coinflow',
} as const

/** Response header carrying the request id that also appears in error bodies and logs. */
export const REQUEST_ID_HEADER = 'X-Request-Id'
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key'
