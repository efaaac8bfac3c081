/**
 * @module
 * `pnpm emulator`: serves the emulator on loopback until stopped. Persona on
 * `PERSONA_EMULATOR_PORT` (4010), Coinflow on `COINFLOW_EMULATOR_PORT` (4020), and the hosted pages
 * (Persona's inquiry flow, Coinflow's withdraw and verification pages) on `COINFLOW_UI_EMULATOR_PORT`
 * (3000, because `CoinflowWithdraw env="local"` trusts only `http://localhost:3000`).
 * Every variable is listed in README.md beside this file.
 */
import { pathToFileURL } from 'node:url'
import { serve, type ServerType } from '@hono/node-server'
import { createEmulator, type Emulator, type EmulatorOptions } from './index'

export type Environment = Record<string, string | undefined>

export interface EmulatorServers {
  emulator: Emulator
  urls: { persona: string; coinflow: string; hosted: string }
  /** The Persona Connect connection Coinflow redeems share tokens through. */
  personaConnectionId: string
  close(): Promise<void>
}

const DEFAULT_CONNECTION_ID = 'cxn_CoinflowEmulatorConnect01'

function port(env: Environment, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${name} must be a port number (0-65535), not ${JSON.stringify(raw)}`)
  }
  return value
}

function wholeNumber(env: Environment, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number, not ${JSON.stringify(raw)}`)
  }
  return value
}

/** Reads the documented environment variables into emulator options (ports aside). */
export function optionsFromEnv(env: Environment): Omit<
  EmulatorOptions,
  'personaBaseUrl' | 'coinflowBaseUrl' | 'hostedOrigin'
> & {
  personaConnectionId: string
} {
  const personaConnectionId = env.COINFLOW_EMULATOR_PERSONA_CONNECTION_ID || DEFAULT_CONNECTION_ID
  const personaWebhookUrl = env.PERSONA_EMULATOR_WEBHOOK_URL
  // Two comma-separated secrets sign every delivery twice, as Persona does during a rotation.
  const personaSecrets = (env.PERSONA_EMULATOR_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (personaWebhookUrl && personaSecrets.length === 0) {
    throw new Error('PERSONA_EMULATOR_WEBHOOK_URL needs PERSONA_EMULATOR_WEBHOOK_SECRET')
  }
  const coinflowWebhookUrl = env.COINFLOW_EMULATOR_WEBHOOK_URL
  const coinflowKey = env.COINFLOW_EMULATOR_WEBHOOK_KEY
  if (coinflowWebhookUrl && !coinflowKey) {
    throw new Error('COINFLOW_EMULATOR_WEBHOOK_URL needs COINFLOW_EMULATOR_WEBHOOK_KEY')
  }
  const webhookConcurrency = wholeNumber(env, 'EMULATOR_WEBHOOK_CONCURRENCY')
  if (webhookConcurrency === 0) throw new Error('EMULATOR_WEBHOOK_CONCURRENCY must be 1 or more')
  return {
    seed: wholeNumber(env, 'EMULATOR_SEED'),
    webhookConcurrency,
    personaConnectionId,
    persona: personaWebhookUrl
      ? { webhooks: [{ url: personaWebhookUrl, secret: personaSecrets }] }
      : {},
    coinflow: {
      personaConnectionId,
      merchantId: env.COINFLOW_EMULATOR_MERCHANT_ID || undefined,
      startingBalanceCents: wholeNumber(env, 'COINFLOW_EMULATOR_STARTING_BALANCE_CENTS'),
      webhook:
        coinflowWebhookUrl && coinflowKey
          ? { url: coinflowWebhookUrl, validationKey: coinflowKey }
          : undefined,
    },
  }
}

function listen(fetch: (request: Request) => Response | Promise<Response>, portNumber: number) {
  return new Promise<{ server: ServerType; port: number }>((resolve, reject) => {
    // Loopback only: the emulator accepts any key and must never be reachable from a network.
    const server = serve({ fetch, hostname: '127.0.0.1', port: portNumber }, (info) =>
      resolve({ server, port: info.port }),
    )
    server.once('error', reject)
  })
}

const closeServer = (server: ServerType) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    if ('closeAllConnections' in server) server.closeAllConnections()
  })

/** Listens on the three ports, then builds the emulator with origins that match them. */
export async function startEmulatorServers(env: Environment): Promise<EmulatorServers> {
  const options = optionsFromEnv(env)
  let emulator: Emulator | undefined
  const unavailable = () => new Response('Starting', { status: 503 })
  const started: Array<{ server: ServerType; port: number }> = []
  try {
    for (const [name, fallback, app] of [
      ['PERSONA_EMULATOR_PORT', 4010, () => emulator?.persona],
      ['COINFLOW_EMULATOR_PORT', 4020, () => emulator?.coinflow],
      ['COINFLOW_UI_EMULATOR_PORT', 3000, () => emulator?.hosted],
    ] as const) {
      const portNumber = port(env, name, fallback)
      try {
        started.push(await listen((request) => app()?.fetch(request) ?? unavailable(), portNumber))
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(`Port ${portNumber} is taken; set ${name} to another port`)
        }
        throw error
      }
    }
  } catch (error) {
    await Promise.all(started.map(({ server }) => closeServer(server)))
    throw error
  }
  const [persona, coinflow, hosted] = started.map(({ port: bound }) => bound) as [
    number,
    number,
    number,
  ]
  const urls = {
    persona: `http://127.0.0.1:${persona}`,
    coinflow: `http://127.0.0.1:${coinflow}`,
    // `localhost`, not 127.0.0.1: CoinflowWithdraw env="local" trusts exactly http://localhost:3000.
    hosted: `http://localhost:${hosted}`,
  }
  const { personaConnectionId, ...emulatorOptions } = options
  emulator = createEmulator({
    ...emulatorOptions,
    personaBaseUrl: urls.persona,
    coinflowBaseUrl: urls.coinflow,
    hostedOrigin: urls.hosted,
  })
  const running = emulator
  return {
    emulator: running,
    urls,
    personaConnectionId,
    async close() {
      running.close()
      await Promise.all(started.map(({ server }) => closeServer(server)))
    },
  }
}

export function describeServers({ urls, personaConnectionId, emulator }: EmulatorServers): string {
  return [
    'Shareflow emulator (Persona 2025-12-08 + Coinflow sandbox), loopback only:',
    `  Persona API      ${urls.persona}/api/v1   (any "Authorization: Bearer <key>")`,
    `  Coinflow API     ${urls.coinflow}/api     (any "Authorization: <key>")`,
    `  Hosted pages     ${urls.hosted}           (Persona flow, Coinflow withdraw + verification)`,
    `  Control          ${urls.persona}/__emulator (also on the other two)`,
    `  Coinflow's Persona connection: ${personaConnectionId}`,
    `  Seed ${emulator.world.seed} (EMULATOR_SEED=${emulator.world.seed} repeats this run's ids)`,
    'Press Ctrl+C to stop.',
  ].join('\n')
}

export async function main() {
  let servers: EmulatorServers
  try {
    servers = await startEmulatorServers(process.env)
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
  process.stdout.write(`${describeServers(servers)}\n`)
  const stop = () => {
    void servers.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main()
}
