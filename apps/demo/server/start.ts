import { rmSync } from 'node:fs'
import path from 'node:path'
import type { Context } from 'hono'
import {
  createJsonLogger,
  createPayoutsModule,
  createShareflowApp,
  type ShareflowOptions,
} from '@shareflow/server'
import {
  createFileStore,
  type NodeClientBindings,
  readShareflowEnv,
  serveShareflow,
  type ShareflowEnvConfig,
} from '@shareflow/server/node'
import { createDemoApp } from './app'
import { createPlayerAuth, loadSessionSecret } from './auth'
import { startDemoEmulator, type DemoEmulator } from './emulator'
import { DemoLedger, payoutHooks } from './ledger'
import { DEMO_PLAYERS, type DemoPlayer } from './players'

export interface StartDemoOptions {
  /** The host server's port; 0 picks a free one. */
  port?: number
  /** Where the ledger, the BFF's journal and the cookie secret live. */
  dataDir: string
  /** The built frontend; without it only the APIs are served. */
  distDir?: string
  /** `PERSONA_*` / `COINFLOW_*`: with them the real sandboxes, without them the emulator. */
  env?: Record<string, string | undefined>
  /**
   * A running emulator to keep using: a restart of the host server keeps the vendors' state, as
   * the real vendors would. Without it, a fresh emulator starts, seeded with the demo players,
   * and the data directory starts empty to match.
   */
  emulator?: DemoEmulator
  /** Port of the emulator's hosted pages. Default 3000. */
  hostedPort?: number
  players?: readonly DemoPlayer[]
  /** Where the BFF's JSON log lines go. Default: nowhere. */
  log?: (line: string) => void
}

export interface RunningDemo {
  url: string
  port: number
  /** `sandbox`: the in-process emulator; `live`: the vendors' own sandboxes (or production). */
  mode: ShareflowEnvConfig['mode']
  /** The in-process emulator, in emulator mode. */
  emulator: DemoEmulator | null
  ledger: DemoLedger
  /** Stops the host server; an emulator this call started stops too, unless `keepEmulator`. */
  stop(options?: { keepEmulator?: boolean }): Promise<void>
}

/**
 * Starts the whole demo in this process: the host server (sign-in, ledger, frontend) with the
 * Shareflow BFF at `/api/shareflow`, and, with no vendor keys set, the emulator and its hosted
 * pages.
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const { dataDir, players = DEMO_PLAYERS } = options
  // The kit's own reading of PERSONA_* / COINFLOW_*: all of them, or none (the emulator).
  const vendors = readShareflowEnv(options.env ?? {})
  const ownsEmulator = vendors.mode === 'sandbox' && !options.emulator
  // A fresh emulator knows nothing of an earlier run: start the host's records over with it.
  if (ownsEmulator) rmSync(dataDir, { recursive: true, force: true })

  // Listen first: the emulator needs the host's address for its webhooks.
  let handler: (request: Request, env: NodeClientBindings) => Response | Promise<Response> = () =>
    new Response('Starting up', { status: 503, headers: { 'Retry-After': '1' } })
  const server = await serveShareflow({
    // The connection's bindings go through: they carry the client address the BFF's
    // per-address rate limit counts on.
    app: { fetch: (request, env) => handler(request, env) },
    port: options.port ?? 0,
    hostname: 'localhost',
  })

  let demoEmulator: DemoEmulator | null = null
  // Undone in reverse order on stop (or on a failed start).
  const cleanup: Array<() => Promise<void>> = [() => server.close()]
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined)
  }
  try {
    // With no keys, the emulator; with them, the vendors, through the very same BFF code.
    let vendorOptions: Pick<ShareflowOptions, 'fetch' | 'persona' | 'coinflow'>
    if (vendors.mode === 'sandbox') {
      demoEmulator =
        options.emulator ??
        (await startDemoEmulator({ webhookBaseUrl: server.url, hostedPort: options.hostedPort }))
      vendorOptions = demoEmulator.shareflowOptions()
    } else {
      vendorOptions = { persona: vendors.persona, coinflow: vendors.coinflow }
    }

    const ledger = new DemoLedger(
      path.join(dataDir, 'ledger.json'),
      Object.fromEntries(players.map((player) => [player.id, player.openingBalance])),
    )
    const auth = createPlayerAuth({ secret: loadSessionSecret(dataDir), players })
    const store = await createFileStore({ directory: path.join(dataDir, 'shareflow') })
    cleanup.push(() => store.close())
    const payouts = createPayoutsModule({ ledger: payoutHooks(ledger), recoveryIntervalMs: 2_000 })
    cleanup.push(async () => payouts.stop())

    const getUser = async (c: Context) => {
      const player = await auth.currentPlayer(c)
      return player ? { id: player.id, email: player.email, country: player.country } : null
    }
    const returnTo = (vendor: string) => `${server.url}/?returned=${vendor}`
    const shareflow = createShareflowApp({
      getUser,
      store,
      modules: [payouts],
      kyc: {
        inquiryRedirectUri: returnTo('persona'),
        verificationRedirectUri: returnTo('coinflow'),
        // Coinflow sends no webhook when its review ends wanting more details, so the gate's
        // rechecks make the BFF re-ask it; the in-process emulator makes that cheap to do often.
        ...(demoEmulator ? { recheckAfterMs: 2_000 } : {}),
      },
      logger: createJsonLogger({ write: options.log ?? (() => {}) }),
      ...vendorOptions,
    })
    const frameOrigin = shareflow.shareflow.coinflow.uiOrigin

    const app = createDemoApp({
      players,
      ledger,
      auth,
      shareflow,
      distDir: options.distDir,
      frameOrigins: [frameOrigin],
    })

    if (demoEmulator && ownsEmulator) await demoEmulator.seed(players)

    handler = (request, env) => app.fetch(request, env)
    return {
      url: server.url,
      port: server.port,
      mode: vendors.mode,
      emulator: demoEmulator,
      ledger,
      async stop({ keepEmulator = false } = {}) {
        await undo()
        if (ownsEmulator && !keepEmulator) await demoEmulator?.close()
      },
    }
  } catch (error) {
    await undo()
    if (ownsEmulator) await demoEmulator?.close()
    throw error
  }
}
