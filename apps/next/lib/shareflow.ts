import { createPayoutsModule, type ShareflowApp } from '@shareflow/server'
import { serve } from '@hono/node-server'
import type { Server } from 'node:net'
import type { Emulator } from '@shareflow/server/emulator'
import { createShareflowAppFromEnv, readShareflowEnv } from '@shareflow/server/node'
import { getCookie } from 'hono/cookie'
import { COINFLOW_UI_ORIGIN } from './coinflow-origin'
import { createLedger } from './ledger'
import { seedVerifiedUser } from './seed'
import { SESSION_COOKIE, userFromSessionCookie } from './session'
import { USERS } from './users'

/**
 * The example's one Shareflow BFF: with `PERSONA_*` and `COINFLOW_*` set, talking to the vendors;
 * with none, on the in-process emulator of both, seeded with the example's users. It
 * is made on the first request, not at import: `next build` imports every route to read its
 * config, and must not start an emulator or take a port while doing so.
 *
 * Kept on `globalThis`, because Next bundles the route handler and the pages separately (and
 * `next dev` re-runs modules on every edit): all of them must share one BFF, one emulator and
 * one ledger.
 */
export interface Example {
  app: ShareflowApp
  ledger: ReturnType<typeof createLedger>
  /** With no vendor keys: the emulator, and its hosted pages served where the CSP expects them. */
  sandbox: { emulator: Emulator; hosted: Server } | null
}

const HOLDER = Symbol.for('shareflow.next-example')
type Holder = { [HOLDER]?: Promise<Example> }

export function getShareflow(): Promise<Example> {
  const holder = globalThis as Holder
  // A failed start (port 3000 taken, say) is not kept: the next request tries again.
  holder[HOLDER] ??= startExample().catch((error: unknown) => {
    delete holder[HOLDER]
    throw error
  })
  return holder[HOLDER]
}

async function startExample(): Promise<Example> {
  const ledger = createLedger(USERS)
  const { mode } = readShareflowEnv(process.env)
  const { app, emulator } = await createShareflowAppFromEnv({
    // The host's own session, read from the request's cookie (see `session.ts`).
    getUser: (c) => {
      const user = userFromSessionCookie(getCookie(c, SESSION_COOKIE))
      return user ? { id: user.id, email: user.email, country: 'US' } : null
    },
    modules: [createPayoutsModule({ ledger: ledger.hooks, recoveryIntervalMs: 5_000 })],
    emulator: { hostedOrigin: COINFLOW_UI_ORIGIN },
    // Coinflow sends no webhook when its review ends wanting more details, so the gate's
    // rechecks make the BFF ask it again; the in-process emulator makes asking cheap.
    kyc: mode === 'sandbox' ? { recheckAfterMs: 2_000 } : {},
  })
  if (!emulator) return { app, ledger, sandbox: null }

  const { port } = new URL(COINFLOW_UI_ORIGIN)
  let hosted: Server
  try {
    hosted = await listen(emulator.hosted.fetch, Number(port))
  } catch (error) {
    emulator.close()
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error
    throw new Error(
      `Port ${port} is taken: the emulated Coinflow and Persona pages must be served on ${COINFLOW_UI_ORIGIN}. Stop whatever runs there, or set COINFLOW_UI_ORIGIN.`,
      { cause: error },
    )
  }
  for (const user of USERS) {
    if (user.journey === 'verified') await seedVerifiedUser(emulator, user)
  }
  return { app, ledger, sandbox: { emulator, hosted } }
}

/**
 * Serves the hosted pages beside Next. Not with `serveShareflow`: `@hono/node-server` by default
 * replaces the process's global `Request` and `Response` with its own, and Next's proxy then
 * refuses every `NextResponse` it returns ("Expected an instance of Response").
 */
function listen(fetch: (request: Request) => Response | Promise<Response>, port: number) {
  return new Promise<Server>((resolve, reject) => {
    const server = serve(
      { fetch, port, hostname: 'localhost', overrideGlobalObjects: false },
      () => {
        server.off('error', reject)
        resolve(server)
      },
    )
    server.once('error', reject)
  })
}
