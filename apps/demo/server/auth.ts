import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Context } from 'hono'
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie'
import { findPlayer, type DemoPlayer } from './players'

/**
 * The demo platform's own sign-in: a signed, HttpOnly cookie naming the player. Shareflow never
 * sees it; the BFF asks `currentPlayer` (through `getUser`) who is signed in, which is how a real
 * host wires its own session in.
 */
export const SESSION_COOKIE = 'demo_session'
const SESSION_DAYS = 7

export interface PlayerAuth {
  currentPlayer(c: Context): Promise<DemoPlayer | undefined>
  signIn(c: Context, player: DemoPlayer): Promise<void>
  signOut(c: Context): void
}

export function createPlayerAuth(options: {
  secret: string
  players: readonly DemoPlayer[]
}): PlayerAuth {
  const { secret, players } = options
  // `Secure` cookies are dropped on plain http, and the demo runs on http://localhost.
  const cookieOptions = (c: Context) =>
    ({
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:',
    }) as const

  return {
    async currentPlayer(c) {
      const value = await getSignedCookie(c, secret, SESSION_COOKIE)
      return value ? findPlayer(players, value) : undefined
    },
    async signIn(c, player) {
      await setSignedCookie(c, SESSION_COOKIE, player.id, secret, {
        ...cookieOptions(c),
        maxAge: SESSION_DAYS * 86_400,
      })
    },
    signOut(c) {
      deleteCookie(c, SESSION_COOKIE, cookieOptions(c))
    },
  }
}

/**
 * The cookie-signing secret: `DEMO_SESSION_SECRET` when set, else one generated once and kept in
 * the data directory, so players stay signed in across a restart.
 */
export function loadSessionSecret(dataDir: string, fromEnv = process.env.DEMO_SESSION_SECRET) {
  if (fromEnv) return fromEnv
  const file = path.join(dataDir, 'session-secret')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    mkdirSync(dataDir, { recursive: true })
    const secret = randomBytes(32).toString('base64url')
    writeFileSync(file, secret, { mode: 0o600 })
    chmodSync(file, 0o600)
    return secret
  }
}
