import { Hono, type Context } from 'hono'
import type { PlayerAuth } from './auth'
import type { DemoLedger } from './ledger'
import { findPlayer, type DemoPlayer } from './players'
import { serveFrontend } from './web'

export interface DemoAppOptions {
  players: readonly DemoPlayer[]
  ledger: DemoLedger
  auth: PlayerAuth
  /** The Shareflow BFF, mounted at `/api/shareflow`. */
  shareflow?: Hono<any>
  /** The built frontend (`vite build` output); without it only the APIs are served. */
  distDir?: string
  /** Origins the page may frame: Coinflow's hosted withdraw page. */
  frameOrigins: readonly string[]
}

const publicPlayer = (player: DemoPlayer) => ({
  id: player.id,
  name: player.name,
  handle: player.handle,
  country: player.country,
  currency: player.currency,
  journey: player.journey,
})

/**
 * The demo platform's host server: its own sign-in and player ledger under `/api/demo`, the
 * Shareflow BFF under `/api/shareflow`, and the built frontend everywhere else.
 */
export function createDemoApp(options: DemoAppOptions) {
  const { players, ledger, auth } = options
  const app = new Hono()

  const errorBody = (code: string, message: string) => ({ error: { code, message } })

  // The demo's own writes come from its own page only: a browser always sends Origin on a POST.
  const sameOrigin = (c: Context) => c.req.header('Origin') === new URL(c.req.url).origin

  app.get('/healthz', (c) => c.json({ ok: true }))

  app.get('/api/demo/players', (c) =>
    c.json({
      players: players.map((player) => ({
        ...publicPlayer(player),
        balance: ledger.balance(player.id, player.currency),
      })),
    }),
  )

  app.post('/api/demo/session', async (c) => {
    if (!sameOrigin(c)) return c.json(errorBody('forbidden', 'Sign in from the demo page.'), 403)
    const body = await c.req.json().catch(() => null)
    const player = findPlayer(players, typeof body?.playerId === 'string' ? body.playerId : null)
    if (!player) return c.json(errorBody('not_found', 'There is no such player.'), 404)
    await auth.signIn(c, player)
    return c.json({ player: publicPlayer(player) })
  })

  app.delete('/api/demo/session', (c) => {
    if (!sameOrigin(c)) return c.json(errorBody('forbidden', 'Sign out from the demo page.'), 403)
    auth.signOut(c)
    return c.body(null, 204)
  })

  app.get('/api/demo/me', async (c) => {
    const player = await auth.currentPlayer(c)
    c.header('Cache-Control', 'no-store')
    if (!player) return c.json(errorBody('unauthenticated', 'Sign in to continue.'), 401)
    return c.json({
      player: publicPlayer(player),
      balance: ledger.balance(player.id, player.currency),
    })
  })

  if (options.shareflow) app.route('/api/shareflow', options.shareflow)

  app.all('/api/*', (c) => c.json(errorBody('not_found', 'No such route.'), 404))

  if (options.distDir) {
    app.use(serveFrontend({ distDir: options.distDir, frameOrigins: options.frameOrigins }))
  }
  return app
}
