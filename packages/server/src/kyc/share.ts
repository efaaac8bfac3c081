/**
 * `POST /kyc/share`: share the user's completed inquiry with Coinflow, exactly once. The share is
 * a journal (`ShareJournal` in `record.ts`): each step is recorded before the call it guards,
 * under a per-user lease, so sharing twice, concurrently, or after a crash makes one share token
 * and one Coinflow registration.
 *
 * @module
 */
import type { KycReason, KycStatus } from '@shareflow/contract'
import { isoAt } from '../clock'
import { derivedKey } from '../digest'
import { ApiError } from '../errors'
import { LockUnavailableError, withLock } from '../store/records'
import { isReplayedServerError } from '../upstream/failures'
import type { CoinflowApi, WithdrawerLookup } from '../upstream/coinflow'
import type { FindInquiry } from './inquiry'
import {
  deriveKycStatus,
  inquiryIs,
  kycKeys,
  SHARE_LEASE_MS,
  type KycRecord,
  type ShareJournal,
} from './record'
import type { KycRecords } from './record-store'
import type { KycRequest, KycSettings, KycUser } from './types'

const messages = {
  finishFirst: 'Finish verifying your identity first.',
} as const

/**
 * How long Persona's word that an inquiry is complete, as the record holds it (its webhook, or
 * the last read), stands in for reading the inquiry again before sharing it. Persona says every
 * later change (approved, declined, marked for review) by webhook, usually within minutes of
 * completion; older news, or none, is read again.
 */
export const INQUIRY_NEWS_TRUSTED_MS = 15 * 60_000

/**
 * The record's inquiry, when it is the one to share and Persona said recently that it is
 * complete: a first share then costs Persona one call (the token), not two.
 */
function recentlyShareable(user: KycUser, record: KycRecord, now: number) {
  const inquiry = record.inquiry
  if (!inquiry || !inquiryIs.shareable(inquiry.status) || inquiry.eventAt === null) return undefined
  // The host names another inquiry: that one is read (and checked to be the user's).
  if (user.personaInquiryId !== undefined && user.personaInquiryId !== inquiry.id) return undefined
  // A share that failed on this inquiry: only fresh news from Persona may start another.
  if (record.share?.step === 'failed' && record.share.inquiryId === inquiry.id) return undefined
  const age = now - Date.parse(inquiry.eventAt)
  return age >= 0 && age < INQUIRY_NEWS_TRUSTED_MS ? inquiry : undefined
}

/** What a refused share records: the kit says it in the user's language. */
const shareRefused: KycReason = 'share_refused'

export function sharer(
  {
    store,
    clock,
    logger,
    sleep,
    personaConnectionId,
    shareTokenExpiresInSeconds,
    verificationRedirectUri,
    shareWaitMs,
    registerAttempts,
  }: KycSettings,
  { records, findInquiry }: { records: KycRecords; findInquiry: FindInquiry },
) {
  /** Registers the share token, asking Coinflow first whenever an earlier try may have landed. */
  async function register(user: KycUser, tokenId: string, coinflow: CoinflowApi) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await coinflow.registerWithShareToken({
          userId: user.id,
          shareToken: tokenId,
          email: user.email,
        })
      } catch (error) {
        if (!(error instanceof ApiError) || attempt >= registerAttempts) throw error
        logger.warn('share registration did not answer; checking before retrying', {
          attempt,
          error,
        })
        await sleep(Math.min(2_000, 100 * 2 ** attempt))
        const lookup = await coinflow.getWithdrawer(user.id, {
          redirectLink: verificationRedirectUri,
        })
        if (lookup.kind !== 'not_registered') return { kind: 'landed' as const, lookup }
      }
    }
  }

  const journal = (userId: string, change: (share: ShareJournal) => ShareJournal) =>
    records.update(userId, (record) =>
      record.share ? { ...record, share: change(record.share) } : undefined,
    )

  async function failShare(userId: string, failure: KycReason) {
    const endedAt = isoAt(clock.now())
    return (
      await records.update(userId, (record) =>
        record.share
          ? {
              ...record,
              share: {
                ...record.share,
                step: 'failed',
                failure,
                endedAt,
                ...(record.inquiry ? { inquiryStatusAtEnd: record.inquiry.status } : {}),
              },
            }
          : undefined,
      )
    ).status
  }

  const finishShare = (userId: string, lookup: WithdrawerLookup, askedAt: string) =>
    records.observeWithdrawer(userId, lookup, askedAt)

  /** Coinflow refused the token: find out whether it expired or the inquiry is inconclusive. */
  async function handleRefusal(
    user: KycUser,
    share: ShareJournal,
    { persona }: KycRequest,
  ): Promise<KycStatus> {
    const token = share.tokenId ? await persona.getShareToken(share.tokenId) : null
    if (token && (token.status === 'expired' || token.status === 'failed')) {
      const checkedAt = isoAt(clock.now())
      return (
        await records.update(user.id, (record) => ({
          ...record,
          share: { ...share, step: 'done', endedAt: checkedAt },
          coinflow: { status: 'expired', checkedAt, eventAt: null },
        }))
      ).status
    }
    const inquiry = await persona.getInquiry(share.inquiryId)
    if (inquiry?.status === 'completed') {
      // Persona passed the flow but Coinflow will not accept it: the checks were inconclusive,
      // so a reviewer decides (`inquiry.approved` then offers the share again).
      const key = await derivedKey('review', user.id, share.inquiryId)
      const review = await persona.markForReview(share.inquiryId, key)
      if (review.ok) {
        await failShare(user.id, shareRefused)
        return (await records.observeInquiry(user.id, review.inquiry)).status
      }
      logger.warn('mark-for-review refused', { status: review.status, titles: review.titles })
    }
    if (inquiry) await records.observeInquiry(user.id, inquiry)
    return failShare(user.id, shareRefused)
  }

  async function runShare(user: KycUser, request: KycRequest): Promise<KycStatus> {
    const { persona, coinflow } = request
    const record = await records.load(user.id)
    const status = deriveKycStatus(record, clock.now())
    if (status.state === 'approved' || status.state === 'rejected') return status
    // Already registered and waiting on Coinflow: sharing again would register twice.
    if (record.share?.step === 'done' && record.coinflow && record.coinflow.status !== 'expired') {
      return status
    }

    let share = record.share
    /** Whether the share starts from the record's word on the inquiry, unread this time. */
    let fromRecord = false
    if (!share || share.step === 'done' || share.step === 'failed') {
      let inquiry: { id: string; status: string } | null | undefined = recentlyShareable(
        user,
        record,
        clock.now(),
      )
      fromRecord = inquiry !== undefined
      if (!inquiry) {
        const read = await findInquiry(user, record, persona)
        if (read) await records.observeInquiry(user.id, read)
        inquiry = read
      }
      if (!inquiry || !inquiryIs.shareable(inquiry.status)) {
        throw new ApiError('kyc_required', messages.finishFirst)
      }
      const next: ShareJournal = {
        attempt: (share?.attempt ?? 0) + 1,
        inquiryId: inquiry.id,
        step: 'creating_token',
        startedAt: isoAt(clock.now()),
      }
      share = next
      await records.update(user.id, (r) => ({ ...r, share: next, coinflow: undefined }))
    }

    if (share.step === 'creating_token') {
      const { inquiryId } = share
      const tokenFor = async (attempt: number) => ({
        connectionId: personaConnectionId,
        sourceId: inquiryId,
        idempotencyKey: await derivedKey('share', user.id, inquiryId, String(attempt)),
        expiresInSeconds: shareTokenExpiresInSeconds,
      })
      const attempt = share.attempt
      let created = await persona.createShareToken(await tokenFor(attempt)).catch(async (error) => {
        // Persona replays that 5xx for this key: the next try asks under the next attempt's.
        if (isReplayedServerError(error)) {
          await journal(user.id, (s) =>
            s.attempt === attempt ? { ...s, attempt: attempt + 1 } : s,
          )
        }
        throw error
      })
      // 409 for this key (always sent with the same parameters) means an earlier attempt is
      // still in progress at Persona: its answer is replayed once it ends, so ask again. A key
      // that stays in progress is given up for a new one (a token made under it is never used
      // and expires) rather than calling the share refused.
      for (let wait = 1; !created.ok && created.status === 409 && wait <= 4; wait++) {
        await sleep(1_000 * 2 ** wait)
        if (wait === 4) {
          share = { ...share, attempt: share.attempt + 1 }
          const next = share
          await journal(user.id, () => next)
        }
        created = await persona.createShareToken(await tokenFor(share.attempt))
      }
      if (!created.ok) {
        logger.warn('share token refused', { status: created.status, titles: created.titles })
        if (fromRecord) {
          // Started on the record's word, which Persona may have overtaken (a decision whose
          // webhook has not arrived yet): read the inquiry, so the user sees where it stands.
          const inquiry = await persona.getInquiry(inquiryId)
          if (inquiry) await records.observeInquiry(user.id, inquiry)
        }
        return failShare(user.id, shareRefused)
      }
      await records.index(kycKeys.byShareToken(created.token.id), user.id)
      share = { ...share, step: 'token_created', tokenId: created.token.id }
      const saved = share
      await journal(user.id, () => saved)
    }

    const tokenId = share.tokenId
    if (!tokenId) return failShare(user.id, shareRefused)

    if (share.step === 'registering') {
      // The last worker may have registered the user before it died: look before registering.
      const askedAt = isoAt(clock.now())
      const lookup = await coinflow.getWithdrawer(user.id, {
        redirectLink: verificationRedirectUri,
      })
      if (lookup.kind !== 'not_registered') return finishShare(user.id, lookup, askedAt)
    }
    share = { ...share, step: 'registering' }
    const registering = share
    await journal(user.id, () => registering)

    const askedAt = isoAt(clock.now())
    const outcome = await register(user, tokenId, coinflow)
    switch (outcome.kind) {
      case 'landed':
        return finishShare(user.id, outcome.lookup, askedAt)
      case 'registered':
        return finishShare(
          user.id,
          {
            kind: 'registered',
            withdrawer: {
              verification: outcome.verification,
              accounts: { bankAccounts: [], cards: [], ibans: [], pixes: [] },
            },
          },
          askedAt,
        )
      case 'verification_required':
        return finishShare(
          user.id,
          {
            kind: 'verification_required',
            verification: outcome.verification ?? {
              status: 'pending',
              vendor: 'persona',
              shareTokenStatus: null,
            },
            verificationLink: outcome.verificationLink,
            rejectionReasons: [],
          },
          askedAt,
        )
      case 'already_registered': {
        const lookup = await coinflow.getWithdrawer(user.id, {
          redirectLink: verificationRedirectUri,
        })
        return finishShare(user.id, lookup, askedAt)
      }
      case 'client_error':
        logger.info('share registration refused', { status: outcome.status })
        return handleRefusal(user, share, request)
    }
  }

  return async function shareOnce(user: KycUser, request: KycRequest): Promise<KycStatus> {
    try {
      return await withLock(
        store,
        kycKeys.shareLock(user.id),
        SHARE_LEASE_MS,
        () => runShare(user, request),
        { waitMs: shareWaitMs },
      )
    } catch (error) {
      // Another request is sharing for this user right now; it will finish the job.
      if (error instanceof LockUnavailableError)
        return deriveKycStatus(await records.load(user.id), clock.now())
      throw error
    }
  }
}
