/**
 * `@shareflow/server/sandbox`. Sandbox mode: the BFF wired to the in-process emulator of Persona and Coinflow, for a host that
 * has no vendor keys yet (a frontend team trying the kit, Storybook, the demo, tests). The BFF
 * code is exactly the live code; only its `fetch` goes to the emulator, and the emulator's
 * signed webhooks are delivered straight to the BFF's receivers. It says so once in the log.
 *
 * @example
 * const { app, emulator } = createSandboxShareflowApp({ getUser })
 * hostApp.route('/api/shareflow', app)
 * // Persona's hosted flow and Coinflow's hosted pages answer on emulator.fetch at http://localhost:3000
 *
 * @module
 */
import { routes } from '@shareflow/contract'
import { createShareflowApp, type ShareflowApp, type ShareflowAppOptions } from './app'
import type { CoinflowOptions, PersonaOptions } from './options'
import { createEmulator, type Emulator, type EmulatorOptions } from './emulator'
import { createJsonLogger } from './logger'

/** Where the emulated vendors deliver webhooks; never resolved, the delivery stays in process. */
const WEBHOOK_ORIGIN = 'https://shareflow-sandbox.invalid'

const PERSONA_BASE = 'https://api.withpersona.com'
const COINFLOW_BASE = 'https://api-sandbox.coinflow.cash'

/** Sandbox credentials: not secrets, only names the emulator accepts. */
export const sandboxCredentials = {
  persona: {
    apiKey: 'persona_sandbox_shareflow_emulator',
    templateId: 'itmpl_ShareflowSandbox000001',
    connectionId: 'cxn_ShareflowSandboxCoinflow1',
    webhookSecret: 'wbhsec_shareflow_sandbox',
  },
  coinflow: {
    apiKey: 'coinflow_sandbox_shareflow_emulator',
    merchantId: 'shareflow-sandbox',
    webhookKey: 'coinflow_sandbox_validation_key',
  },
} as const

export interface SandboxAppOptions extends Omit<
  ShareflowAppOptions,
  'persona' | 'coinflow' | 'fetch'
> {
  /** Emulator options (seed, clock, faults, hosted-pages origin …). */
  emulator?: EmulatorOptions
  persona?: Partial<Pick<PersonaOptions, 'requestsPerMinute'>>
}

export interface SandboxApp {
  app: ShareflowApp
  emulator: Emulator
  /** The vendor options the app was built with, for hosts wiring their own pieces to the same emulator. */
  vendors: { persona: PersonaOptions; coinflow: CoinflowOptions; fetch: typeof fetch }
}

/**
 * Builds the BFF against a fresh in-process emulator. Use it when no vendor keys are set; with
 * keys, call `createShareflowApp` with them instead (`@shareflow/server/node`'s
 * `createShareflowAppFromEnv` chooses for you, and loads this module only when it picks it).
 */
export function createSandboxShareflowApp(options: SandboxAppOptions): SandboxApp {
  const logger = options.logger ?? createJsonLogger({ clock: options.clock })
  const { persona: personaKeys, coinflow: coinflowKeys } = sandboxCredentials
  let app: ShareflowApp | undefined
  const emulatorOptions = options.emulator ?? {}
  const emulator = createEmulator({
    ...emulatorOptions,
    personaBaseUrl: PERSONA_BASE,
    coinflowBaseUrl: COINFLOW_BASE,
    webhookFetch: async (input, init) => {
      // The BFF's routes are relative to wherever the host mounts it; deliver to the app itself.
      const request = new Request(input, init)
      if (!app) return new Response(null, { status: 503 })
      return app.request(new URL(request.url).pathname, {
        method: request.method,
        headers: request.headers,
        body: await request.text(),
      })
    },
    persona: {
      ...emulatorOptions.persona,
      webhooks: [
        {
          url: `${WEBHOOK_ORIGIN}${routes.webhooksPersona}`,
          secret: personaKeys.webhookSecret,
        },
      ],
    },
    coinflow: {
      ...emulatorOptions.coinflow,
      merchantId: coinflowKeys.merchantId,
      personaConnectionId: personaKeys.connectionId,
      webhook: {
        url: `${WEBHOOK_ORIGIN}${routes.webhooksCoinflow}`,
        validationKey: coinflowKeys.webhookKey,
      },
    },
  })
  const hostedOrigin = emulatorOptions.hostedOrigin ?? 'http://localhost:3000'
  const vendors = {
    fetch: emulator.fetch,
    persona: {
      apiKey: personaKeys.apiKey,
      templateId: personaKeys.templateId,
      connectionId: personaKeys.connectionId,
      baseUrl: `${PERSONA_BASE}/api/v1`,
      webhookSecrets: [personaKeys.webhookSecret],
      ...options.persona,
    },
    coinflow: {
      apiKey: coinflowKeys.apiKey,
      merchantId: coinflowKeys.merchantId,
      env: 'local' as const,
      baseUrl: `${COINFLOW_BASE}/api`,
      uiOrigin: hostedOrigin,
      webhookKey: coinflowKeys.webhookKey,
    },
  }
  app = createShareflowApp({ ...options, ...vendors, logger })
  logger.info(
    'Shareflow sandbox: no vendor keys are configured, so Persona and Coinflow are emulated in this process',
    { hostedOrigin },
  )
  return { app, emulator, vendors }
}
