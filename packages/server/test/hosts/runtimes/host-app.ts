/**
 * The BFF as a host on Workers, Bun or Deno builds it, against the emulator served over HTTP: the
 * same `createShareflowApp` from `@shareflow/server`, its vendor base URLs pointed at the
 * emulator's loopback servers, payouts against an in-memory ledger. Each runtime's entry (beside
 * this file) reads the settings from its own environment and serves `app.fetch`.
 */
import { createMemoryStore, createPayoutsModule, createShareflowApp } from '../../../src/index'
import type { GetUser } from '../../../src/user'
import { createTestLedger } from '../../payouts/ledger'

/** What the test hands the runtime, as environment variables (Workers: `vars`). */
export interface RuntimeHostSettings {
  PERSONA_URL: string
  COINFLOW_URL: string
  HOSTED_URL: string
  PERSONA_WEBHOOK_SECRET: string
  COINFLOW_WEBHOOK_KEY: string
  COINFLOW_MERCHANT_ID: string
  PERSONA_CONNECTION_ID: string
  /** The one user this host signs in, with the header below standing in for its session cookie. */
  SIGNED_IN_USER: string
}

export const SIGNED_IN_HEADER = 'x-host-session'
export const MOUNT = '/api/shareflow'

export function createRuntimeHostApp(settings: RuntimeHostSettings) {
  const getUser: GetUser = (c) =>
    c.req.header(SIGNED_IN_HEADER) === settings.SIGNED_IN_USER
      ? { id: settings.SIGNED_IN_USER, email: 'jane@example.com', country: 'US' }
      : null
  const ledger = createTestLedger({
    [settings.SIGNED_IN_USER]: [{ cents: 10_000_00, currency: 'USD' }],
  })
  return createShareflowApp({
    getUser,
    store: createMemoryStore(),
    persona: {
      apiKey: 'persona_sandbox_runtime_host',
      templateId: 'itmpl_RuntimeHostTemplate0001',
      connectionId: settings.PERSONA_CONNECTION_ID,
      baseUrl: `${settings.PERSONA_URL}/api/v1`,
      webhookSecrets: [settings.PERSONA_WEBHOOK_SECRET],
    },
    coinflow: {
      apiKey: 'coinflow_sandbox_runtime_host',
      merchantId: settings.COINFLOW_MERCHANT_ID,
      env: 'local',
      baseUrl: `${settings.COINFLOW_URL}/api`,
      uiOrigin: settings.HOSTED_URL,
      webhookKey: settings.COINFLOW_WEBHOOK_KEY,
    },
    modules: [createPayoutsModule({ ledger })],
  })
}
