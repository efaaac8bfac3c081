/**
 * Test-only: a BFF with no vendor behind it (every vendor call fails loudly), for checking the
 * middleware every request passes through. Users sign in through a header only this "host"
 * reads; the client address comes from another, as a load balancer's header would.
 */
import { createShareflowApp, type ShareflowAppOptions } from '../../src/app'
import { createManualClock } from '../../src/emulator'
import { createMemoryLogger } from '../../src/logger'
import { createMemoryStore } from '../../src/store/memory'

export const USER_HEADER = 'x-test-user'
export const ADDRESS_HEADER = 'x-test-address'

export function createTestBff(options: Partial<ShareflowAppOptions> = {}) {
  const clock = createManualClock()
  const store = createMemoryStore({ clock })
  const logger = createMemoryLogger({ clock })
  let vendorCalls = 0
  const app = createShareflowApp({
    getUser: (c) => {
      const id = c.req.header(USER_HEADER)
      return id ? { id, email: `${id}@example.com` } : null
    },
    persona: {
      apiKey: 'persona_sandbox_security_unit',
      templateId: 'itmpl_SecurityUnit',
      connectionId: 'cxn_SecurityUnit',
      webhookSecrets: ['wbhsec_security_unit'],
    },
    coinflow: { apiKey: 'coinflow_security_unit', merchantId: 'merchant', webhookKey: 'cf_key' },
    fetch: async () => {
      vendorCalls++
      throw new TypeError('no vendor in this test')
    },
    upstream: { retry: { maxAttempts: 1 }, sleep: async () => {} },
    store,
    logger,
    clock,
    ...options,
    rateLimits:
      options.rateLimits === false
        ? false
        : { clientAddress: (c) => c.req.header(ADDRESS_HEADER) ?? null, ...options.rateLimits },
  })
  return { app, store, logger, clock, vendorCalls: () => vendorCalls }
}
