/**
 * `POST /kyc/share` and `POST /kyc/inquiry`: the user's two KYC actions. Neither takes input
 * beyond an optional empty JSON object; who the user is comes from the host's `getUser` alone.
 * When Persona's queue is longer than the request may wait, the action keeps its place and the
 * answer is `503 upstream_unavailable` with a `Retry-After` from the queue; the retry joins it.
 *
 * @module
 */
import { InquiryLink, KycStatus, routes } from '@shareflow/contract'
import type { Hono } from 'hono'
import { z } from 'zod'
import { optionalJsonBody } from '../errors'
import type { ShareflowEnv } from '../request-context'
import { timeLeftMs } from '../security/timeout'
import { requireUser, signedIn } from '../user'

const NoInput = z.strictObject({})

export function registerKycRoutes(app: Hono<ShareflowEnv>): void {
  app.post(routes.kycShare, signedIn, optionalJsonBody(NoInput), async (c) => {
    const user = await requireUser(c)
    const status = await c.get('shareflow').kyc.share(user, {
      persona: c.get('persona'),
      coinflow: c.get('coinflow'),
      answerWithinMs: timeLeftMs(c),
      calls: c.get('calls'),
    })
    return c.json(KycStatus.parse(status))
  })

  app.post(routes.kycInquiry, signedIn, optionalJsonBody(NoInput), async (c) => {
    const user = await requireUser(c)
    const link = await c.get('shareflow').kyc.startInquiry(user, {
      persona: c.get('persona'),
      coinflow: c.get('coinflow'),
      answerWithinMs: timeLeftMs(c),
      calls: c.get('calls'),
    })
    c.header('Cache-Control', 'no-store')
    return c.json(InquiryLink.parse(link))
  })
}
