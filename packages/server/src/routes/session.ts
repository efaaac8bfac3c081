/**
 * `GET /session`: one round trip that gives a mounted gate everything. The user's KYC status
 * (re-checked with the vendors only when it is stale and not yet settled), and, once approved,
 * their masked payout destinations and a fresh Coinflow session key for the hosted pages.
 *
 * An approved user costs no Persona call: two Coinflow reads, made in parallel, one of which
 * (the withdrawer) also confirms the approval still stands.
 *
 * @module
 */
import { routes, Session, type CoinflowBrowserSession } from '@shareflow/contract'
import type { Hono } from 'hono'
import { isoAt } from '../clock'
import { requireUser, type ShareflowEnv } from '../core'
import { toDestinations } from '../payouts/destinations'

/** Coinflow documents session keys as valid for 30 minutes; the kit never claims longer. */
const SESSION_KEY_TTL_MS = 30 * 60_000

/** The key's own `exp` when it is a JWT (Coinflow's are), capped at the documented lifetime. */
function sessionKeyExpiry(key: string, now: number): number {
  const cap = now + SESSION_KEY_TTL_MS
  const payload = key.split('.')[1]
  if (!payload) return cap
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      exp?: unknown
    }
    return typeof json.exp === 'number' ? Math.min(cap, json.exp * 1000) : cap
  } catch {
    return cap
  }
}

export function registerSessionRoutes(app: Hono<ShareflowEnv>): void {
  app.get(routes.session, async (c) => {
    const user = await requireUser(c)
    const { kyc, clock, coinflow: client } = c.var.shareflow
    const scope = { persona: c.var.persona, coinflow: c.var.coinflow }
    let status = await kyc.refresh(user, scope)
    let destinations: Session['destinations'] = []
    let coinflow: CoinflowBrowserSession | null = null
    if (status.state === 'approved') {
      const askedAt = isoAt(clock.now())
      const [sessionKey, withdrawer] = await Promise.all([
        c.var.coinflow.getSessionKey(user.id),
        c.var.coinflow.getWithdrawer(user.id),
      ])
      status = await kyc.observeWithdrawer(user.id, withdrawer, askedAt)
      if (withdrawer.kind === 'registered')
        destinations = toDestinations(withdrawer.withdrawer.accounts)
      if (status.state === 'approved') {
        coinflow = {
          sessionKey,
          merchantId: client.merchantId,
          env: client.env,
          origin: client.uiOrigin,
          expiresAt: isoAt(sessionKeyExpiry(sessionKey, clock.now())),
        }
      }
    }
    c.header('Cache-Control', 'no-store')
    return c.json(Session.parse({ user: { id: user.id }, kyc: status, destinations, coinflow }))
  })
}
