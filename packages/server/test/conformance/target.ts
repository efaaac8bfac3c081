/**
 * What the conformance suite talks to: Persona's and Coinflow's sandboxes when their base URLs and
 * keys are in the environment, otherwise the emulator in process. The same checks run against
 * either, so a host team can tell whether the emulator still matches the real thing.
 *
 * Sandboxes (see README.md beside this file):
 *   CONFORMANCE_PERSONA_BASE_URL      https://api.withpersona.com/api/v1
 *   CONFORMANCE_PERSONA_API_KEY       persona_sandbox_…
 *   CONFORMANCE_PERSONA_TEMPLATE_ID   itmpl_… (an inquiry template of the sandbox)
 *   CONFORMANCE_PERSONA_CONNECTION_ID cxn_… (the sandbox's Connect connection to Coinflow)
 *   CONFORMANCE_COINFLOW_BASE_URL     https://api-sandbox.coinflow.cash/api
 *   CONFORMANCE_COINFLOW_API_KEY      the merchant's sandbox API key
 * Webhooks from sandboxes need a receiver they can reach (a tunnel to CONFORMANCE_WEBHOOK_PORT):
 *   CONFORMANCE_WEBHOOK_PORT, CONFORMANCE_PERSONA_WEBHOOK_SECRET, CONFORMANCE_COINFLOW_WEBHOOK_KEY
 */
import { createServer, type Server } from 'node:http'
import { COINFLOW_PERSONA_CONNECTION_ID } from '../../src/emulator/coinflow'
import { createEmulator } from '../../src/emulator'

export interface ReceivedWebhook {
  vendor: 'persona' | 'coinflow'
  /** Real time of arrival, in ms. */
  receivedAt: number
  headers: Headers
  body: string
}

export interface ConformanceTarget {
  /** `emulator` or `sandboxes`, for the test names. */
  name: string
  fetch: typeof fetch
  persona: { baseUrl: string; apiKey: string; templateId: string; connectionId: string }
  coinflow: { baseUrl: string; apiKey: string }
  /** Null when no receiver is configured (sandboxes without a tunnel): webhook checks skip. */
  webhooks: {
    personaSecret: string
    coinflowKey: string
    received: ReceivedWebhook[]
    /** Waits until `found` matches a delivery (the emulator delivers at once; a sandbox takes a while). */
    waitFor(found: (webhook: ReceivedWebhook) => boolean, what: string): Promise<ReceivedWebhook>
  } | null
  close(): Promise<void>
}

const env = process.env

/** The sandboxes when both are configured, else the emulator. */
export async function conformanceTarget(): Promise<ConformanceTarget> {
  const sandboxes =
    env.CONFORMANCE_PERSONA_BASE_URL &&
    env.CONFORMANCE_PERSONA_API_KEY &&
    env.CONFORMANCE_COINFLOW_BASE_URL &&
    env.CONFORMANCE_COINFLOW_API_KEY
  return sandboxes ? sandboxTarget() : emulatorTarget()
}

function waiter(received: ReceivedWebhook[], timeoutMs: number, pump: () => Promise<void>) {
  return async (found: (webhook: ReceivedWebhook) => boolean, what: string) => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      await pump()
      const match = received.find(found)
      if (match) return match
      if (Date.now() > deadline) throw new Error(`no ${what} webhook within ${timeoutMs} ms`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

function emulatorTarget(): ConformanceTarget {
  const received: ReceivedWebhook[] = []
  const personaSecret = 'wbhsec_conformance'
  const coinflowKey = 'coinflow_conformance_validation_key'
  const running = createEmulator({
    // The system clock, as a sandbox has: nothing here moves time.
    webhookFetch: async (input, init) => {
      const request = new Request(input, init)
      received.push({
        vendor: new URL(request.url).pathname.endsWith('/persona') ? 'persona' : 'coinflow',
        receivedAt: Date.now(),
        headers: request.headers,
        body: await request.text(),
      })
      return new Response(null, { status: 204 })
    },
    persona: {
      webhooks: [{ url: 'https://conformance.test/webhooks/persona', secret: personaSecret }],
    },
    coinflow: {
      webhook: { url: 'https://conformance.test/webhooks/coinflow', validationKey: coinflowKey },
    },
  })
  return {
    name: 'emulator',
    fetch: running.fetch,
    persona: {
      baseUrl: 'https://api.withpersona.com/api/v1',
      apiKey: 'persona_sandbox_conformance',
      templateId: 'itmpl_Conformance0000000001',
      connectionId: COINFLOW_PERSONA_CONNECTION_ID,
    },
    coinflow: { baseUrl: 'https://api-sandbox.coinflow.cash/api', apiKey: 'coinflow_conformance' },
    webhooks: {
      personaSecret,
      coinflowKey,
      received,
      waitFor: waiter(received, 5_000, () => running.flush()),
    },
    async close() {
      running.close()
    },
  }
}

async function sandboxTarget(): Promise<ConformanceTarget> {
  const received: ReceivedWebhook[] = []
  const port = env.CONFORMANCE_WEBHOOK_PORT ? Number(env.CONFORMANCE_WEBHOOK_PORT) : null
  let server: Server | undefined
  if (port !== null) {
    server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        const headers = new Headers()
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers.set(name, value)
        }
        received.push({
          vendor: (request.url ?? '').includes('persona') ? 'persona' : 'coinflow',
          receivedAt: Date.now(),
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        response.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server!.listen(port, resolve))
  }
  const required = (name: string) => {
    const value = env[name]
    if (!value) throw new Error(`${name} is required to run the conformance suite on sandboxes`)
    return value
  }
  return {
    name: 'sandboxes',
    fetch: (input, init) => fetch(input, init),
    persona: {
      baseUrl: required('CONFORMANCE_PERSONA_BASE_URL'),
      apiKey: required('CONFORMANCE_PERSONA_API_KEY'),
      templateId: required('CONFORMANCE_PERSONA_TEMPLATE_ID'),
      connectionId: required('CONFORMANCE_PERSONA_CONNECTION_ID'),
    },
    coinflow: {
      baseUrl: required('CONFORMANCE_COINFLOW_BASE_URL'),
      apiKey: required('CONFORMANCE_COINFLOW_API_KEY'),
    },
    webhooks:
      port === null
        ? null
        : {
            personaSecret: required('CONFORMANCE_PERSONA_WEBHOOK_SECRET'),
            coinflowKey: required('CONFORMANCE_COINFLOW_WEBHOOK_KEY'),
            received,
            waitFor: waiter(received, 120_000, async () => {}),
          },
    async close() {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()))
    },
  }
}
