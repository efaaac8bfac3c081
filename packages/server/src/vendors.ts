/**
 * `@shareflow/server/vendors`: the Persona and Coinflow clients the BFF talks to the vendors with,
 * for a host calling them outside the BFF's routes, and the vendors' webhook signature check. Web
 * Standards only.
 *
 * @example
 * import { createPersonaClient } from '@shareflow/server/vendors'
 * const persona = createPersonaClient({ apiKey, store })
 *
 * @module
 */
export {
  createPersonaClient,
  PERSONA_API_VERSION,
  type PersonaClient,
  type PersonaClientOptions,
} from './upstream/persona'
export {
  coinflowHosts,
  createCoinflowClient,
  type CoinflowClient,
  type CoinflowClientOptions,
} from './upstream/coinflow'
export { createCallCounter, type UpstreamCall, type UpstreamCallCounter } from './upstream/http'
export { verifyWebhookSignature } from './webhooks/signature'
