import { randomBytes } from 'node:crypto'
import type { CoinflowOptions, PersonaOptions } from '@shareflow/server'
import { createEmulator, type Emulator } from '@shareflow/server/emulator'
import { serveShareflow, type ServingShareflow } from '@shareflow/server/node'
import type { DemoPlayer } from './players'
import { createSeeder } from './seed'

/**
 * Persona and Coinflow, emulated inside the demo process: their APIs answer the BFF in-process
 * (through `emulator.fetch`), their hosted pages are served on http://localhost:3000 (the only
 * origin `CoinflowWithdraw env="local"` trusts), and their webhooks arrive at the demo's BFF over
 * HTTP, signed, like the real ones.
 *
 * It outlives a restart of the host server (the vendors don't restart when the BFF does).
 */
export interface DemoEmulator {
  emulator: Emulator
  /** Credentials and ids the BFF is configured with; random per run, never printed. */
  persona: {
    apiKey: string
    templateId: string
    connectionId: string
    webhookSecret: string
    baseUrl: string
  }
  coinflow: {
    apiKey: string
    merchantId: string
    webhookKey: string
    baseUrl: string
    uiOrigin: string
  }
  /** What the BFF needs to talk to this emulator: its `fetch` and both vendors' settings. */
  shareflowOptions(): { fetch: typeof fetch; persona: PersonaOptions; coinflow: CoinflowOptions }
  /** Gives each player the vendor-side history their journey starts from (see `seed.ts`). */
  seed(players: readonly DemoPlayer[]): Promise<void>
  close(): Promise<void>
}

export const HOSTED_PORT = 3000
const PERSONA_ORIGIN = 'https://api.withpersona.com'
const COINFLOW_ORIGIN = 'https://api-sandbox.coinflow.cash'
const SHARE_REVIEW_MS = 3_000

const secret = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`

/**
 * Starts the emulator and serves its hosted pages. `webhookBaseUrl` is the host server's origin:
 * webhooks go to its `/api/shareflow/webhooks/*`.
 */
export async function startDemoEmulator(options: {
  webhookBaseUrl: string
  hostedPort?: number
}): Promise<DemoEmulator> {
  const hostedPort = options.hostedPort ?? HOSTED_PORT
  const uiOrigin = `http://localhost:${hostedPort}`
  const persona = {
    apiKey: secret('persona_sandbox_'),
    templateId: 'itmpl_StarfallArcadeKyc0001',
    connectionId: 'cxn_StarfallToCoinflow00001',
    webhookSecret: secret('wbhsec_'),
    baseUrl: `${PERSONA_ORIGIN}/api/v1`,
  }
  const coinflow = {
    apiKey: secret('coinflow_sandbox_'),
    merchantId: 'starfall-arcade',
    webhookKey: secret(''),
    baseUrl: `${COINFLOW_ORIGIN}/api`,
    uiOrigin,
  }
  const emulator = createEmulator({
    personaBaseUrl: PERSONA_ORIGIN,
    coinflowBaseUrl: COINFLOW_ORIGIN,
    hostedOrigin: uiOrigin,
    persona: {
      webhooks: [
        {
          url: `${options.webhookBaseUrl}/api/shareflow/webhooks/persona`,
          secret: persona.webhookSecret,
        },
      ],
    },
    coinflow: {
      merchantId: coinflow.merchantId,
      personaConnectionId: persona.connectionId,
      shareTokenReviewMs: SHARE_REVIEW_MS,
      webhook: {
        url: `${options.webhookBaseUrl}/api/shareflow/webhooks/coinflow`,
        validationKey: coinflow.webhookKey,
      },
    },
  })
  let hosted: ServingShareflow
  try {
    hosted = await listenWhenFree((request) => emulator.hosted.fetch(request), hostedPort)
  } catch (error) {
    emulator.close()
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${hostedPort} is taken. Coinflow's hosted page must be served on ${uiOrigin} ` +
          '(the only origin CoinflowWithdraw env="local" trusts): stop whatever runs there and try again.',
      )
    }
    throw error
  }
  return {
    emulator,
    persona,
    coinflow,
    shareflowOptions: () => ({
      fetch: emulator.fetch,
      persona: {
        apiKey: persona.apiKey,
        templateId: persona.templateId,
        connectionId: persona.connectionId,
        baseUrl: persona.baseUrl,
        webhookSecrets: [persona.webhookSecret],
      },
      coinflow: {
        apiKey: coinflow.apiKey,
        merchantId: coinflow.merchantId,
        env: 'local',
        baseUrl: coinflow.baseUrl,
        uiOrigin: coinflow.uiOrigin,
        webhookKey: coinflow.webhookKey,
      },
    }),
    seed: (players) =>
      createSeeder({
        fetch: emulator.fetch,
        persona,
        coinflow,
        shareReviewMs: SHARE_REVIEW_MS,
        async advance(ms) {
          emulator.clock.advance(ms)
          await emulator.runDue()
        },
      }).seed(players),
    async close() {
      emulator.close()
      await hosted.close()
    },
  }
}

/**
 * The hosted pages' port is fixed, so a demo that just stopped (the previous test file, say) may
 * still be letting go of it: wait a little for it before giving up.
 */
async function listenWhenFree(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  waitMs = 20_000,
): Promise<ServingShareflow> {
  const giveUpAt = Date.now() + waitMs
  for (;;) {
    try {
      return await serveShareflow({ app: { fetch }, port, hostname: 'localhost' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > giveUpAt) {
        throw error
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}
