import { browserRoutes } from './browser-routes'

/**
 * Every route of the BFF: the browser's, plus the forms a host may build (card, IBAN, PIX), the
 * OpenAPI document, the health probes and the vendors' webhooks. Client and server both import these, so a rename
 * cannot leave one side behind.
 */
export const routes = {
  ...browserRoutes,
  destinationsIban: '/destinations/iban',
  destinationsPix: '/destinations/pix',
  destinationsCard: '/destinations/card',
  /** A business payee's KYB journey (the KYB module): its state, and its details. */
  business: '/business',
  openapi: '/openapi.json',
  /** Liveness and readiness probes for load balancers; outside the rate limits. */
  healthz: '/healthz',
  readyz: '/readyz',
  webhooksPersona: '/webhooks/persona',
  webhooksCoinflow: '/webhooks/coinflow',
} as const
