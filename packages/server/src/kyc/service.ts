/**
 * The identity journeys (DESIGN.md 1–5): where a user stands, creating or resuming their Persona
 * inquiry, sharing a completed inquiry with Coinflow, and applying both vendors' webhooks. Every
 * change goes through one compare-and-set update of the user's `KycRecord`, and every change the
 * user would see is pushed to their event stream as `kyc.updated`.
 *
 * The share is a journal (see `ShareJournal`): each step is recorded before the call it guards,
 * under a per-user lease, so sharing twice, concurrently, or after a crash makes one share token
 * and one Coinflow registration.
 *
 * @module
 */
import type { InquiryLink, KycStatus, ShareflowEvent } from '@shareflow/contract'
import { isoAt, realSleep, type Clock, type Sleep } from '../clock'
import { sha256Hex } from '../digest'
import { ApiError } from '../errors'
import type { Logger } from '../logger'
import { getJson, LockUnavailableError, updateJson, withLock } from '../store/records'
import type { ShareflowStore } from '../store/types'
import type { CoinflowApi, WithdrawerLookup } from '../upstream/coinflow'
import { createCallCounter, type UpstreamCallCounter } from '../upstream/http'
import type { PersonaApi, PersonaInquiry } from '../upstream/persona'
import {
  deriveKycStatus,
  emptyKycRecord,
  inquiryIs,
  KycRecord,
  kycKeys,
  SHARE_LEASE_MS,
  statusChanged,
  type CoinflowFacts,
  type ShareJournal,
} from './record'

/** The user as the KYC journeys need them (a subset of `ShareflowUser`). */
export interface KycUser {
  id: string
  email: string
  personaInquiryId?: string
}

/** Vendor clients for one request, counted on that request's journey counter. */
export interface KycScope {
  persona: PersonaApi
  coinflow: CoinflowApi
  /**
   * Real milliseconds the request may still take (`timeLeftMs`). With it, and a `personaQueue`,
   * work that waits for Persona's budget longer than that is kept in line for the user's retry.
   */
  answerWithinMs?: number
  /** The request's counter, so Persona calls made for it are counted even when kept in line. */
  calls?: UpstreamCallCounter
}

/**
 * Persona's shared queue (the rate budget), for work kept in line after its request answered:
 * `withCalls(counter)` without a signal gives calls that no departing request cancels.
 */
export interface PersonaQueue {
  withCalls(counter: UpstreamCallCounter): PersonaApi
  /** How long a Persona call asked for now would wait for the budget, ms. */
  waitEstimateMs(): number
}

/** A Persona `inquiry.*` or `connect/share-token.*` webhook, verified and de-duplicated. */
export interface PersonaEvent {
  id: string
  name: string
  createdAt: string | null
  /** The event's `payload.data` resource. */
  resource: { type: string; id: string; attributes: Record<string, unknown> }
}

/** A Coinflow `KYC *` webhook, verified and de-duplicated. */
export interface CoinflowKycEvent {
  eventType: string
  created: string | null
  data: Record<string, unknown>
}

export interface KycService {
  /** The status from the store alone: no vendor calls (SSE snapshots, cheap reads). */
  current(userId: string): Promise<KycStatus>
  /**
   * The truth for `/session`: approved and rejected users cost no vendor call; others are
   * re-checked with the vendors when their record is older than `recheckAfterMs`.
   */
  refresh(user: KycUser, scope: KycScope): Promise<KycStatus>
  /**
   * Records what a `GET /withdraw` the caller already made says (so `/session` needs one call).
   * `askedAt` is when that request went out; webhooks received since then win.
   */
  observeWithdrawer(userId: string, lookup: WithdrawerLookup, askedAt?: string): Promise<KycStatus>
  /** `POST /kyc/share`: share the completed inquiry with Coinflow, exactly once. */
  share(user: KycUser, scope: KycScope): Promise<KycStatus>
  /** `POST /kyc/inquiry`: resume the user's open inquiry or start a new one. */
  startInquiry(user: KycUser, scope: KycScope): Promise<InquiryLink>
  applyPersonaEvent(event: PersonaEvent): Promise<'applied' | 'ignored'>
  applyCoinflowKycEvent(event: CoinflowKycEvent): Promise<'applied' | 'ignored'>
}

export interface KycServiceOptions {
  store: ShareflowStore
  clock: Clock
  logger: Logger
  publish(userId: string, event: ShareflowEvent): Promise<unknown>
  /** Coinflow merchant id; KYC webhooks name the user as `<merchantId>ʬ<userId>`. */
  merchantId: string
  personaTemplateId: string
  personaConnectionId: string
  recheckAfterMs?: number
  inquiryRedirectUri?: string
  shareTokenExpiresInSeconds?: number
  verificationRedirectUri?: string
  /** How long a second `POST /kyc/share` waits for the first before answering. Default 15 s. */
  shareWaitMs?: number
  /** An open inquiry older than this is not resumed; a new one starts. Default 30 days. */
  maxResumeAgeMs?: number
  /** Registration attempts when Coinflow does not answer (each checked first). Default 3. */
  registerAttempts?: number
  sleep?: Sleep
  /**
   * When set, a user's inquiry, share and re-check keep their place in Persona's queue: a request
   * that cannot be served before it must answer is answered early (a re-check with what the BFF
   * knows; an action with `upstream_unavailable` and a `Retry-After` from the queue), the work
   * carries on, and the user's retry joins it instead of queueing again.
   */
  personaQueue?: PersonaQueue
  /** How long the result of kept work waits for its user's retry. Default 10 minutes. */
  keepResultMs?: number
}

/** A vendor-safe idempotency key: a hash, so the user id itself never leaves in a header. */
async function derivedKey(...parts: string[]): Promise<string> {
  const hex = await sha256Hex(parts.join('\u0000'))
  return `sf_${parts[0]}_${hex.slice(0, 32)}`
}

const messages = {
  finishFirst: 'Finish verifying your identity first.',
  alreadyVerified: 'You are already verified.',
  notAllowed: 'Your identity could not be verified, so a new check cannot be started here.',
  shareRefused: 'Your identity check could not be shared. Please verify again.',
  noLink: 'Identity verification is not available right now. Please try again shortly.',
  inLine: 'Many people are verifying right now. Your place is kept; please try again in a moment.',
} as const

const isUrl = (value: string | null | undefined): value is string => {
  if (!value) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** Coinflow's word on a withdrawer lookup, as record facts (`undefined`: not registered). */
function coinflowFactsOf(lookup: WithdrawerLookup, checkedAt: string): CoinflowFacts | undefined {
  switch (lookup.kind) {
    case 'not_registered':
      return undefined
    case 'registered': {
      const { status, shareTokenStatus } = lookup.withdrawer.verification
      const expired = status !== 'approved' && shareTokenStatus === 'expired'
      return { status: expired ? 'expired' : status, checkedAt, eventAt: null }
    }
    case 'verification_required': {
      const { status, shareTokenStatus } = lookup.verification
      if (status === 'rejected' || status === 'expired') return { status, checkedAt, eventAt: null }
      if (shareTokenStatus === 'expired') return { status: 'expired', checkedAt, eventAt: null }
      if (isUrl(lookup.verificationLink)) {
        return {
          status: 'needs_more_info',
          verificationLink: lookup.verificationLink,
          checkedAt,
          eventAt: null,
        }
      }
      return { status, checkedAt, eventAt: null }
    }
  }
}

const newest = (inquiries: PersonaInquiry[]) =>
  [...inquiries].sort((a, b) => Date.parse(b.createdAt ?? '0') - Date.parse(a.createdAt ?? '0'))[0]

/**
 * @example
 * const kyc = createKycService({ store, clock, logger, publish, merchantId, personaTemplateId, personaConnectionId })
 * const status = await kyc.refresh(user, { persona, coinflow })
 */
export function createKycService({
  store,
  clock,
  logger,
  publish,
  merchantId,
  personaTemplateId,
  personaConnectionId,
  recheckAfterMs = 10_000,
  inquiryRedirectUri,
  shareTokenExpiresInSeconds,
  verificationRedirectUri,
  shareWaitMs = 15_000,
  maxResumeAgeMs = 30 * 86_400_000,
  registerAttempts = 3,
  sleep = realSleep,
  personaQueue,
  keepResultMs = 600_000,
}: KycServiceOptions): KycService {
  const load = async (userId: string) =>
    (await getJson(store, kycKeys.record(userId), KycRecord)) ?? emptyKycRecord(clock.now())

  /**
   * Applies `change` to the user's record (compare-and-set; `change` may run more than once and
   * must be pure), then pushes `kyc.updated` when the user-visible status changed.
   */
  async function update(
    userId: string,
    change: (record: KycRecord) => KycRecord | undefined,
  ): Promise<{ record: KycRecord; status: KycStatus }> {
    let before: KycStatus | null = null
    let after: KycStatus | null = null
    const saved = await updateJson(store, kycKeys.record(userId), KycRecord, (current) => {
      const now = clock.now()
      const base = current ?? emptyKycRecord(now)
      before = current ? deriveKycStatus(current, now) : null
      const next = change(structuredClone(base))
      if (next === undefined) {
        after = before
        return undefined
      }
      const candidate = deriveKycStatus(next, now)
      const visible = before === null || statusChanged(before, candidate)
      const record = visible ? { ...next, updatedAt: isoAt(now) } : next
      after = deriveKycStatus(record, now)
      return record
    })
    const record = saved ?? emptyKycRecord(clock.now())
    const status = after ?? deriveKycStatus(record, clock.now())
    if (before === null ? saved !== null : statusChanged(before, status)) {
      await publish(userId, { type: 'kyc.updated', kyc: status })
    }
    return { record, status }
  }

  /** Remembers which user an inquiry or share token belongs to, for webhooks. First owner wins. */
  async function index(key: string, userId: string): Promise<void> {
    await store.setIfAbsent(key, userId, { ttlMs: 400 * 86_400_000 })
  }

  /** Records an inquiry read from Persona's API (the truth at read time). */
  async function observeInquiry(userId: string, inquiry: PersonaInquiry) {
    await index(kycKeys.byInquiry(inquiry.id), userId)
    return update(userId, (record) => {
      const known = record.inquiry
      // An older inquiry never replaces a newer one the record already follows.
      if (
        known &&
        known.id !== inquiry.id &&
        Date.parse(known.createdAt ?? '0') > Date.parse(inquiry.createdAt ?? '0')
      ) {
        return { ...record, checkedAt: isoAt(clock.now()) }
      }
      // A webhook newer than this read (by Persona's clock) already told us more.
      const newerEvent =
        known?.id === inquiry.id &&
        known.eventAt !== null &&
        inquiry.updatedAt !== null &&
        known.eventAt > inquiry.updatedAt
      const eventAt = [known?.id === inquiry.id ? known.eventAt : null, inquiry.updatedAt]
        .filter((v): v is string => Boolean(v))
        .sort()
        .at(-1)
      return {
        ...record,
        inquiry: {
          id: inquiry.id,
          status: newerEvent ? known.status : inquiry.status,
          createdAt: inquiry.createdAt,
          eventAt: eventAt ?? null,
        },
        checkedAt: isoAt(clock.now()),
      }
    })
  }

  /**
   * Records a Coinflow lookup. `askedAt` is when the request went out: a webhook received after
   * that is newer news than the lookup's answer and is kept.
   */
  async function observeWithdrawer(
    userId: string,
    lookup: WithdrawerLookup,
    askedAt: string = isoAt(clock.now()),
  ) {
    const checkedAt = isoAt(clock.now())
    return (
      await update(userId, (record) => {
        if (record.coinflow && record.coinflow.checkedAt > askedAt) {
          return record.share?.step === 'done' || !record.share
            ? { ...record, checkedAt }
            : { ...record, share: { ...record.share, step: 'done', endedAt: checkedAt }, checkedAt }
        }
        const coinflow = coinflowFactsOf(lookup, checkedAt)
        if (!coinflow) {
          // Coinflow has no withdrawer: whatever we believed about one is void, and a finished
          // share must be made again (an unfinished one is the journal's business).
          const unfinished = record.share && record.share.step !== 'done'
          return {
            ...record,
            coinflow: undefined,
            share: unfinished ? record.share : undefined,
            checkedAt,
          }
        }
        // An approval confirmed again changes nothing anyone reads: approved users are never
        // re-checked by age, so the write (one per verified user's `/session`) is skipped, and
        // the newest webhook's `eventAt` is kept.
        if (
          coinflow.status === 'approved' &&
          record.coinflow?.status === 'approved' &&
          (!record.share || (record.share.step === 'done' && record.share.endedAt))
        ) {
          return undefined
        }
        const share: ShareJournal | undefined =
          record.share && record.share.step !== 'failed'
            ? { ...record.share, step: 'done', endedAt: record.share.endedAt ?? checkedAt }
            : record.share
        return { ...record, coinflow, share, checkedAt }
      })
    ).status
  }

  /** The user's inquiry: the host's id, the one we follow, or the newest by reference id. */
  async function findInquiry(
    user: KycUser,
    record: KycRecord,
    persona: PersonaApi,
  ): Promise<PersonaInquiry | null> {
    const known = user.personaInquiryId ?? record.inquiry?.id
    let inquiry = known ? await persona.getInquiry(known) : null
    if (!inquiry) inquiry = newest(await persona.listInquiriesByReference(user.id)) ?? null
    // Never follow an inquiry Persona files under someone else.
    if (inquiry && inquiry.referenceId !== null && inquiry.referenceId !== user.id) {
      logger.warn('inquiry belongs to another reference id; ignored', { inquiryId: inquiry.id })
      return null
    }
    return inquiry
  }

  async function refresh(user: KycUser, { persona, coinflow }: KycScope): Promise<KycStatus> {
    const now = clock.now()
    const record = await load(user.id)
    const status = deriveKycStatus(record, now)
    if (status.state === 'approved' || status.state === 'rejected') return status
    if (status.state === 'sharing' && status.nextAction === 'wait') return status
    const hostMovedOn =
      user.personaInquiryId !== undefined && user.personaInquiryId !== record.inquiry?.id
    const fresh = record.checkedAt && now - Date.parse(record.checkedAt) < recheckAfterMs
    if (fresh && !hostMovedOn) return status

    // Registered with Coinflow (or about to be): Coinflow knows best.
    if (record.coinflow || record.share?.step === 'done' || !record.checkedAt) {
      const askedAt = isoAt(clock.now())
      const lookup = await coinflow.getWithdrawer(user.id, {
        redirectLink: verificationRedirectUri,
      })
      if (lookup.kind !== 'not_registered' || record.coinflow) {
        const observed = await observeWithdrawer(user.id, lookup, askedAt)
        if (lookup.kind !== 'not_registered') return observed
      }
    }
    const inquiry = await findInquiry(user, record, persona)
    if (!inquiry) {
      return (await update(user.id, (r) => ({ ...r, checkedAt: isoAt(clock.now()) }))).status
    }
    return (await observeInquiry(user.id, inquiry)).status
  }

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
    update(userId, (record) =>
      record.share ? { ...record, share: change(record.share) } : undefined,
    )

  async function failShare(userId: string, failure: string) {
    const endedAt = isoAt(clock.now())
    return (
      await update(userId, (record) =>
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
    observeWithdrawer(userId, lookup, askedAt)

  /** Coinflow refused the token: find out whether it expired or the inquiry is inconclusive. */
  async function handleRefusal(
    user: KycUser,
    share: ShareJournal,
    { persona }: KycScope,
  ): Promise<KycStatus> {
    const token = share.tokenId ? await persona.getShareToken(share.tokenId) : null
    if (token && (token.status === 'expired' || token.status === 'failed')) {
      const checkedAt = isoAt(clock.now())
      return (
        await update(user.id, (record) => ({
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
        await failShare(user.id, messages.shareRefused)
        return (await observeInquiry(user.id, review.inquiry)).status
      }
      logger.warn('mark-for-review refused', { status: review.status, titles: review.titles })
    }
    if (inquiry) await observeInquiry(user.id, inquiry)
    return failShare(user.id, messages.shareRefused)
  }

  async function runShare(user: KycUser, scope: KycScope): Promise<KycStatus> {
    const { persona, coinflow } = scope
    const record = await load(user.id)
    const status = deriveKycStatus(record, clock.now())
    if (status.state === 'approved' || status.state === 'rejected') return status
    // Already registered and waiting on Coinflow: sharing again would register twice.
    if (record.share?.step === 'done' && record.coinflow && record.coinflow.status !== 'expired') {
      return status
    }

    let share = record.share
    if (!share || share.step === 'done' || share.step === 'failed') {
      const inquiry = await findInquiry(user, record, persona)
      if (inquiry) await observeInquiry(user.id, inquiry)
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
      await update(user.id, (r) => ({ ...r, share: next, coinflow: undefined }))
    }

    if (share.step === 'creating_token') {
      const { inquiryId } = share
      const tokenFor = async (attempt: number) => ({
        connectionId: personaConnectionId,
        sourceId: inquiryId,
        idempotencyKey: await derivedKey('share', user.id, inquiryId, String(attempt)),
        expiresInSeconds: shareTokenExpiresInSeconds,
      })
      let created = await persona.createShareToken(await tokenFor(share.attempt))
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
        return failShare(user.id, messages.shareRefused)
      }
      await index(kycKeys.byShareToken(created.token.id), user.id)
      share = { ...share, step: 'token_created', tokenId: created.token.id }
      const saved = share
      await journal(user.id, () => saved)
    }

    const tokenId = share.tokenId
    if (!tokenId) return failShare(user.id, messages.shareRefused)

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
      case 'refused':
        logger.info('share registration refused', { status: outcome.status })
        return handleRefusal(user, share, scope)
    }
  }

  async function startInquiry(user: KycUser, { persona }: KycScope): Promise<InquiryLink> {
    // A re-check of this user kept in Persona's queue is already asking what this asks first:
    // wait for its answer rather than queue the same question again.
    await kept.get(`refresh:${user.id}`)?.result.catch(() => undefined)
    const record = await load(user.id)
    const status = deriveKycStatus(record, clock.now())
    if (status.state === 'approved') throw new ApiError('conflict', messages.alreadyVerified)
    if (status.state === 'rejected') throw new ApiError('forbidden', messages.notAllowed)

    // Persona had no inquiry for the user when asked moments ago (the session's re-check, most
    // often): asking again would cost a call of the budget and find the same.
    const justFoundNone =
      !user.personaInquiryId &&
      !record.inquiry &&
      record.checkedAt !== undefined &&
      clock.now() - Date.parse(record.checkedAt) < recheckAfterMs
    const inquiry = justFoundNone ? null : await findInquiry(user, record, persona)
    if (inquiry) await observeInquiry(user.id, inquiry)
    if (inquiry && inquiryIs.shareable(inquiry.status) && status.state !== 'inquiry_required') {
      throw new ApiError('conflict', 'Your identity check is complete; share it to continue.')
    }
    if (inquiry && inquiryIs.declined(inquiry.status)) {
      throw new ApiError('forbidden', messages.notAllowed)
    }
    if (inquiry && inquiryIs.inReview(inquiry.status)) {
      throw new ApiError('conflict', 'Your identity check is being reviewed.')
    }

    const young = (i: PersonaInquiry) =>
      !i.createdAt || clock.now() - Date.parse(i.createdAt) < maxResumeAgeMs
    if (
      inquiry &&
      (inquiryIs.open(inquiry.status) || inquiryIs.expired(inquiry.status)) &&
      young(inquiry)
    ) {
      // Persona recommends resuming over starting again: the user keeps their progress.
      const nonce = String(clock.now())
      const resumed = await persona.resumeInquiry(
        inquiry.id,
        await derivedKey('resume', user.id, inquiry.id, nonce),
      )
      if (resumed.ok) {
        const link = await persona.generateOneTimeLink(
          inquiry.id,
          await derivedKey('link', user.id, inquiry.id, nonce),
        )
        if (link.ok && isUrl(link.oneTimeLink)) {
          const { status: kyc } = await observeInquiry(user.id, resumed.inquiry)
          return {
            inquiryId: inquiry.id,
            oneTimeLink: link.oneTimeLink,
            ...(resumed.sessionToken ? { sessionToken: resumed.sessionToken } : {}),
            resumed: true,
            kyc,
          }
        }
      }
      // A stuck inquiry (Persona will not resume it, or gives no link): start a new one.
      logger.info('inquiry could not be resumed; starting a new one', {
        inquiryId: inquiry.id,
        status: resumed.ok ? 'no_link' : resumed.status,
      })
    }

    // Concurrent calls derive the same key from the same starting point, so Persona replays
    // one creation instead of making two inquiries.
    const created = await persona.createInquiry({
      templateId: personaTemplateId,
      referenceId: user.id,
      idempotencyKey: await derivedKey(
        'inquiry',
        user.id,
        inquiry?.id ?? 'none',
        String(record.inquiriesCreated),
      ),
      redirectUri: inquiryRedirectUri,
    })
    if (!isUrl(created.oneTimeLink)) {
      throw new ApiError('upstream_unavailable', messages.noLink, {
        cause: new Error('persona createInquiry returned no one-time link'),
      })
    }
    await index(kycKeys.byInquiry(created.inquiry.id), user.id)
    const { status: kyc } = await update(user.id, (r) => ({
      ...r,
      inquiry: {
        id: created.inquiry.id,
        status: created.inquiry.status,
        createdAt: created.inquiry.createdAt,
        eventAt: created.inquiry.updatedAt,
      },
      // A new inquiry starts the journey over: old share attempts and Coinflow verdicts are moot.
      share: r.share?.step === 'done' || r.share?.step === 'failed' ? undefined : r.share,
      coinflow: r.coinflow?.status === 'approved' ? r.coinflow : undefined,
      inquiriesCreated: r.inquiriesCreated + (r.inquiry?.id === created.inquiry.id ? 0 : 1),
      checkedAt: isoAt(clock.now()),
    }))
    return {
      inquiryId: created.inquiry.id,
      oneTimeLink: created.oneTimeLink,
      ...(created.sessionToken ? { sessionToken: created.sessionToken } : {}),
      resumed: false,
      kyc,
    }
  }

  /** A user's work in Persona's queue, and its outcome once settled, kept for their retry. */
  interface KeptWork {
    result: Promise<unknown>
    /** Persona calls the work has made so far. */
    made: number
    /** Set once settled: when, and whether anyone still has to hear the outcome. */
    settledAt?: number
    unheard: boolean
  }
  const kept = new Map<string, KeptWork>()

  const forgetStale = () => {
    const now = clock.now()
    for (const [key, work] of kept) {
      if (work.settledAt !== undefined && now - work.settledAt > keepResultMs) kept.delete(key)
    }
  }

  /**
   * Runs `work` for `key` (one operation of one user) so that a request which must answer before
   * Persona's queue reaches it loses nothing: the work carries on with calls no departing request
   * cancels, a request for the same key joins it, and `late(retryAfterSeconds)` answers in the
   * meantime. With `keepOutcome`, an outcome nobody was there to hear waits `keepResultMs` for
   * the retry (a one-time link); without, a later request starts afresh from what the work
   * recorded. The request answers at once when the queue alone is longer than it may wait.
   */
  async function inLine<T>(
    key: string,
    scope: KycScope,
    { personaCalls, keepOutcome = false }: { personaCalls: number; keepOutcome?: boolean },
    work: (scope: KycScope) => Promise<T>,
    late: (retryAfterSeconds: number) => Promise<T>,
  ): Promise<T> {
    const within = scope.answerWithinMs
    if (!personaQueue || within === undefined) return work(scope)
    forgetStale()
    let entry = kept.get(key)
    const joined = entry !== undefined
    if (!entry) {
      const counted = scope.calls ?? createCallCounter()
      const started: KeptWork = { result: Promise.resolve(), made: 0, unheard: false }
      const persona = personaQueue.withCalls({
        record(call) {
          if (!call.coalesced) started.made++
          counted.record(call)
        },
      })
      started.result = work({ ...scope, persona })
      const settle = () => {
        started.settledAt = clock.now()
        // Heard by the request that started it (or a retry): nothing to keep.
        if ((!keepOutcome || !started.unheard) && kept.get(key) === started) kept.delete(key)
      }
      started.result.then(settle, settle)
      kept.set(key, started)
      entry = started
    } else if (entry.settledAt !== undefined) {
      // A retry collecting what the work found while its user was away.
      kept.delete(key)
      return entry.result as Promise<T>
    }
    const current = entry
    // Below the request's ceiling, so this answer reaches the browser before the ceiling's own.
    const windowMs = Math.floor(within * 0.9)
    // Each call the work still has to make joins the back of the queue once the one before is
    // done: the user comes back after one queue's length for the call in line and two for each
    // later one, as the queue a later call joins grows while a burst is still arriving (a late
    // return costs the user a little time; an early one, another 503 and another request).
    const retryAfter = () => {
      const left = Math.max(1, personaCalls - current.made)
      const queueMs = personaQueue.waitEstimateMs()
      return Math.max(1, Math.ceil((queueMs * (1 + 2 * (left - 1))) / 1000))
    }
    // A retry joining work already in line waits its window: the work's own call is somewhere
    // ahead in the queue, so the newcomer's estimate says nothing about it.
    const answerNow = !joined && personaQueue.waitEstimateMs() > windowMs
    let timer: ReturnType<typeof setTimeout> | undefined
    const outcome = await Promise.race([
      current.result.then(
        (value) => ({ done: true as const, value }),
        (error: unknown) => ({ done: true as const, error }),
      ),
      new Promise<{ done: false }>((resolve) => {
        // Real time, like the ceiling: the queue is longer than the request may wait, so the
        // user hears when to come back now rather than after waiting for nothing.
        timer = setTimeout(() => resolve({ done: false }), answerNow ? 0 : windowMs)
      }),
    ])
    clearTimeout(timer)
    if (!outcome.done) {
      current.unheard = true
      return late(retryAfter())
    }
    current.unheard = false
    if (kept.get(key) === current) kept.delete(key)
    if ('error' in outcome) throw outcome.error
    return outcome.value as T
  }

  const comeBackLater = (retryAfterSeconds: number) =>
    new ApiError('upstream_unavailable', messages.inLine, {
      retryAfterSeconds,
      cause: new Error(`kept in Persona's queue; retry in about ${retryAfterSeconds} s`),
    })

  async function shareOnce(user: KycUser, scope: KycScope): Promise<KycStatus> {
    try {
      return await withLock(
        store,
        kycKeys.shareLock(user.id),
        SHARE_LEASE_MS,
        () => runShare(user, scope),
        { waitMs: shareWaitMs },
      )
    } catch (error) {
      // Another request is sharing for this user right now; it will finish the job.
      if (error instanceof LockUnavailableError)
        return deriveKycStatus(await load(user.id), clock.now())
      throw error
    }
  }

  async function userFor(key: string): Promise<string | null> {
    return store.get(key)
  }

  return {
    async current(userId) {
      return deriveKycStatus(await load(userId), clock.now())
    },

    refresh: (user, scope) =>
      inLine(
        `refresh:${user.id}`,
        scope,
        { personaCalls: 1 },
        (s) => refresh(user, s),
        // The re-check carries on and pushes what it finds (`kyc.updated`); until then the user
        // sees what the BFF knows, which is never further along than the truth.
        async () => deriveKycStatus(await load(user.id), clock.now()),
      ),
    observeWithdrawer,

    share: (user, scope) =>
      inLine(
        `share:${user.id}`,
        scope,
        // Reading the inquiry, then the share token.
        { personaCalls: 2 },
        (s) => shareOnce(user, s),
        async (retryAfterSeconds) => {
          // The share is under way, in line for Persona: that is what `sharing` + `wait` says,
          // and the outcome reaches the user as `kyc.updated`, like Coinflow's verdict.
          const status = deriveKycStatus(await load(user.id), clock.now())
          if (status.state === 'sharing') return { ...status, nextAction: 'wait' }
          throw comeBackLater(retryAfterSeconds)
        },
      ),

    startInquiry: (user, scope) =>
      inLine(
        `inquiry:${user.id}`,
        scope,
        // Finding the user's inquiry, then creating (or resuming) one; the link is kept.
        { personaCalls: 2, keepOutcome: true },
        (s) => startInquiry(user, s),
        (retryAfterSeconds) => Promise.reject(comeBackLater(retryAfterSeconds)),
      ),

    async applyPersonaEvent(event) {
      const { resource } = event
      if (resource.type === 'inquiry') {
        const attributes = resource.attributes
        const referenceId =
          typeof attributes['reference-id'] === 'string' ? attributes['reference-id'] : null
        const userId = (await userFor(kycKeys.byInquiry(resource.id))) ?? referenceId
        const status = typeof attributes.status === 'string' ? attributes.status : null
        if (!userId || !status) return 'ignored'
        const createdAt =
          typeof attributes['created-at'] === 'string' ? attributes['created-at'] : null
        let applied = false
        await update(userId, (record) => {
          const known = record.inquiry
          if (known && known.id !== resource.id) {
            // News of an older inquiry than the one being followed changes nothing.
            if (Date.parse(known.createdAt ?? '0') > Date.parse(createdAt ?? '0')) return undefined
          }
          const sameInquiry = known?.id === resource.id
          // Out-of-order delivery: an event older than what we already know is history.
          if (sameInquiry && known.eventAt && event.createdAt && event.createdAt < known.eventAt) {
            return undefined
          }
          applied = true
          return {
            ...record,
            inquiry: {
              id: resource.id,
              status,
              createdAt: createdAt ?? known?.createdAt ?? null,
              eventAt: event.createdAt ?? known?.eventAt ?? null,
            },
          }
        })
        await index(kycKeys.byInquiry(resource.id), userId)
        return applied ? 'applied' : 'ignored'
      }
      if (resource.type === 'connect/share-token') {
        const userId = await userFor(kycKeys.byShareToken(resource.id))
        const status = resource.attributes.status
        if (!userId || (status !== 'expired' && status !== 'failed')) return 'ignored'
        let applied = false
        await update(userId, (record) => {
          // Only the token of the current share matters, and only before Coinflow approved.
          if (record.share?.tokenId !== resource.id || record.coinflow?.status === 'approved') {
            return undefined
          }
          applied = true
          const at = isoAt(clock.now())
          return {
            ...record,
            share: { ...record.share, step: 'done', endedAt: record.share.endedAt ?? at },
            coinflow: { status: 'expired', checkedAt: at, eventAt: event.createdAt },
          }
        })
        return applied ? 'applied' : 'ignored'
      }
      return 'ignored'
    },

    async applyCoinflowKycEvent(event) {
      const wallet = typeof event.data.wallet === 'string' ? event.data.wallet : ''
      const prefix = `${merchantId}ʬ`
      const userId =
        typeof event.data.userId === 'string'
          ? event.data.userId
          : wallet.startsWith(prefix)
            ? wallet.slice(prefix.length)
            : null
      const status =
        event.eventType === 'KYC Success'
          ? 'approved'
          : event.eventType === 'KYC Failure'
            ? 'rejected'
            : null
      if (!userId || !status) return 'ignored'
      let applied = false
      await update(userId, (record) => {
        const known = record.coinflow
        if (known?.eventAt && event.created && event.created < known.eventAt) return undefined
        // A KYC webhook for someone who never shared through this BFF is not ours to act on.
        if (!record.share && !known) return undefined
        applied = true
        const at = isoAt(clock.now())
        return {
          ...record,
          share: record.share
            ? { ...record.share, step: 'done', endedAt: record.share.endedAt ?? at }
            : undefined,
          coinflow: { status, checkedAt: at, eventAt: event.created },
        }
      })
      return applied ? 'applied' : 'ignored'
    },
  }
}
