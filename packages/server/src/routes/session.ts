/**
 * `GET /session`: one round trip that gives a mounted gate everything. The user's KYC status
 * (re-checked with the vendors only when it is stale and not yet settled), and, once approved,
 * their masked payout destinations and a Coinflow session key for the hosted pages.
 *
 * An approved user costs no Persona call and one Coinflow read, the withdrawer, which also
 * confirms the approval still stands. The session key is minted on the first visit (in parallel
 * with that read) and handed out again while it is young and the user's status has not changed
 * (`upstream/session-key-cache.ts`, in the store), so a page that reads the session again, on
 * any instance, mints nothing.
 *
 * @module
 */
import {
  routes,
  type CoinflowBrowserSession,
  type KycStatus,
  type Session,
} from '@shareflow/contract'
import type { Context, Hono } from 'hono'
import { isoAt } from '../clock'
import { toDestinations } from '../payouts/destinations'
import type { ShareflowEnv } from '../request-context'
import { timeLeftMs } from '../security/timeout'
import type { CachedSessionKey } from '../upstream/session-key-cache'
import { requireUser, type ShareflowUser } from '../user'

type SessionContext = Context<ShareflowEnv>

/**
 * The approved user's withdrawer, observed, with the session key to hand out: a kept one when it
 * may be reused, else one minted now. Without a kept key, the mint runs beside the withdrawer
 * read (the user's status is most likely still the one the key will be kept under).
 */
async function approvedSession(c: SessionContext, user: ShareflowUser, known: KycStatus) {
  const { kyc, clock, sessionKeys } = c.get('shareflow')
  const coinflow = c.get('coinflow')
  const kept = await sessionKeys.reuse(user.id, known.updatedAt)
  const askedAt = isoAt(clock.now())
  const [minted, withdrawer] = await Promise.all([
    kept ? null : coinflow.getSessionKey(user.id),
    coinflow.getWithdrawer(user.id),
  ])
  const status = await kyc.observeWithdrawer(user.id, withdrawer, askedAt)
  if (status.state !== 'approved') {
    await sessionKeys.forget(user.id)
    return { status, withdrawer, key: null }
  }
  let key: CachedSessionKey | null = minted
    ? await sessionKeys.remember(user.id, status.updatedAt, minted)
    : await sessionKeys.reuse(user.id, status.updatedAt)
  // Approved still, but under a newer status than the kept key's: that key is not handed out.
  key ??= await sessionKeys.remember(
    user.id,
    status.updatedAt,
    await coinflow.getSessionKey(user.id),
  )
  return { status, withdrawer, key }
}

export function registerSessionRoutes(app: Hono<ShareflowEnv>): void {
  app.get(routes.session, async (c) => {
    const user = await requireUser(c)
    const core = c.get('shareflow')
    let status = await core.kyc.refresh(user, {
      persona: c.get('persona'),
      coinflow: c.get('coinflow'),
      answerWithinMs: timeLeftMs(c),
      calls: c.get('calls'),
    })
    let destinations: Session['destinations'] = []
    let coinflow: CoinflowBrowserSession | null = null
    if (status.state === 'approved') {
      const approved = await approvedSession(c, user, status)
      status = approved.status
      if (approved.withdrawer.kind === 'registered') {
        destinations = toDestinations(approved.withdrawer.withdrawer.accounts)
      }
      if (approved.key) {
        coinflow = {
          sessionKey: approved.key.key,
          merchantId: core.coinflow.merchantId,
          env: core.coinflow.env,
          origin: core.coinflow.uiOrigin,
          expiresAt: isoAt(approved.key.expiresAt),
        }
      }
    }
    // A user who is not approved has no key to drop here: every KYC change already drops it on
    // every instance (`forgetKeyOnKycChange`), and a kept key opens only under the status it was
    // minted for. So a waiting page's polls cost the store nothing.
    c.header('Cache-Control', 'no-store')
    // Built from checked parts (the user from `requireUser`, the status derived from the record,
    // destinations already masked), so the type is the check; no second parse on the way out.
    const session: Session = { user: { id: user.id }, kyc: status, destinations, coinflow }
    return c.json(session)
  })
}
