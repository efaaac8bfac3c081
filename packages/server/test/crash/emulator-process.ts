/**
 * The emulator in a process of its own for the crash test, so Coinflow's state (payouts, their
 * idempotency keys, the merchant balance) survives every death of the BFF, as the real Coinflow
 * would. It runs on the system clock (payouts settle on their own; the test can move the clock
 * forward through `/__emulator/clock/advance`) and delivers signed webhooks to the BFF's fixed
 * address, retrying as Coinflow does while the BFF is down.
 *
 * Usage: node --import tsx emulator-process.ts '<json config>'
 * Prints `ready {"persona":<port>,"coinflow":<port>,"hosted":<port>}` once listening.
 */
import { serve, type ServerType } from '@hono/node-server'
import { createEmulator, type Emulator } from '../../src/emulator'

export interface EmulatorProcessConfig {
  seed: number
  merchantId: string
  webhookUrl: string
  validationKey: string
}

const config = JSON.parse(process.argv[2] ?? '') as EmulatorProcessConfig

// Each origin gets its own port; the emulator is built once the ports are known.
let emulator: Emulator | undefined
const listen = () =>
  new Promise<{ server: ServerType; port: number }>((resolve) => {
    const server = serve(
      { fetch: (request) => emulator!.fetch(request), hostname: '127.0.0.1', port: 0 },
      (info) => resolve({ server, port: info.port }),
    )
  })
const [persona, coinflow, hosted] = await Promise.all([listen(), listen(), listen()])
const origin = (port: number) => `http://127.0.0.1:${port}`

emulator = createEmulator({
  seed: config.seed,
  personaBaseUrl: origin(persona.port),
  coinflowBaseUrl: origin(coinflow.port),
  hostedOrigin: origin(hosted.port),
  coinflow: {
    merchantId: config.merchantId,
    webhook: { url: config.webhookUrl, validationKey: config.validationKey },
  },
})

process.on('SIGTERM', () => {
  emulator?.close()
  for (const { server } of [persona, coinflow, hosted]) server.close()
  process.exit(0)
})

process.stdout.write(
  `ready ${JSON.stringify({ persona: persona.port, coinflow: coinflow.port, hosted: hosted.port })}\n`,
)
