/**
 * The identity journeys (where a user stands, creating or resuming their Persona inquiry, sharing
 * a completed inquiry with Coinflow, applying both vendors' webhooks), each in a module of its
 * own over the user's record (`record-store.ts`), composed here with the per-user work queues that keep
 * their place in Persona's queue (`work-queue.ts`).
 *
 * @module
 */
import type { InquiryLink, KycStatus } from '@shareflow/contract'
import { realSleep } from '../clock'
import type { WithdrawerLookup } from '../upstream/coinflow'
import type { PersonaApi } from '../upstream/persona'
import { inquiryFinder, inquiryStarter } from './inquiry'
import { rechecker } from './recheck'
import { createKycRecords } from './record-store'
import { sharer } from './share'
import type {
  CoinflowKycEvent,
  KycRequest,
  KycServiceOptions,
  KycSettings,
  KycUser,
  PersonaEvent,
} from './types'
import { webhookAppliers } from './webhooks'
import { comeBackLater, createWorkQueue } from './work-queue'

export type {
  CoinflowKycEvent,
  KycRequest,
  KycServiceOptions,
  KycUser,
  PersonaEvent,
} from './types'

export interface KycService {
  /** The status from the store alone: no vendor calls (SSE snapshots, cheap reads). */
  current(userId: string): Promise<KycStatus>
  /**
   * The truth for `/session`: approved and rejected users cost no vendor call; others are
   * re-checked with the vendors when their record is older than `recheckAfterMs`.
   */
  refresh(user: KycUser, request: KycRequest): Promise<KycStatus>
  /**
   * Records what a `GET /withdraw` the caller already made says (so `/session` needs one call).
   * `askedAt` is when that request went out; webhooks received since then win.
   */
  observeWithdrawer(userId: string, lookup: WithdrawerLookup, askedAt?: string): Promise<KycStatus>
  /** `POST /kyc/share`: share the completed inquiry with Coinflow, exactly once. */
  share(user: KycUser, request: KycRequest): Promise<KycStatus>
  /** `POST /kyc/inquiry`: resume the user's open inquiry or start a new one. */
  startInquiry(user: KycUser, request: KycRequest): Promise<InquiryLink>
  applyPersonaEvent(event: PersonaEvent): Promise<'applied' | 'ignored'>
  applyCoinflowKycEvent(event: CoinflowKycEvent): Promise<'applied' | 'ignored'>
}

/**
 * @example
 * const kyc = createKycService({ store, clock, logger, publish, merchantId, personaTemplateId, personaConnectionId })
 * const status = await kyc.refresh(user, { persona, coinflow })
 */
export function createKycService(options: KycServiceOptions): KycService {
  const settings: KycSettings = {
    ...options,
    recheckAfterMs: options.recheckAfterMs ?? 10_000,
    shareWaitMs: options.shareWaitMs ?? 15_000,
    maxResumeAgeMs: options.maxResumeAgeMs ?? 30 * 86_400_000,
    registerAttempts: options.registerAttempts ?? 3,
    sleep: options.sleep ?? realSleep,
    keepResultMs: options.keepResultMs ?? 600_000,
  }
  const { clock, personaQueue } = settings
  const records = createKycRecords(settings)
  const findInquiry = inquiryFinder(settings)
  const { current } = records

  const rechecks = createWorkQueue<KycStatus, PersonaApi>({
    clock,
    personaQueue,
    personaCalls: 1,
    // The re-check carries on and pushes what it finds (`kyc.updated`); until then the user
    // sees what the BFF knows, which is never further along than the truth.
    answerInLine: current,
  })
  const shares = createWorkQueue<KycStatus, PersonaApi>({
    clock,
    personaQueue,
    // The share token, and reading the inquiry unless the record's news of it is recent
    // (`INQUIRY_NEWS_TRUSTED_MS`): the read comes first, or after a refused token.
    personaCalls: 2,
    async answerInLine(userId, retryAfterSeconds) {
      // The share is under way, in line for Persona: that is what `sharing` + `wait` says,
      // and the outcome reaches the user as `kyc.updated`, like Coinflow's verdict.
      const status = await current(userId)
      if (status.state === 'sharing') return { ...status, nextAction: 'wait' }
      throw comeBackLater(retryAfterSeconds)
    },
  })
  const inquiries = createWorkQueue<InquiryLink, PersonaApi>({
    clock,
    personaQueue,
    // Finding the user's inquiry, then creating (or resuming) one; the link is kept.
    personaCalls: 2,
    keepUnheardMs: settings.keepResultMs,
    answerInLine: (_userId, retryAfterSeconds) => Promise.reject(comeBackLater(retryAfterSeconds)),
  })

  const recheck = rechecker(settings, { records, findInquiry })
  const share = sharer(settings, { records, findInquiry })
  const startInquiry = inquiryStarter(settings, {
    records,
    findInquiry,
    recheckInLine: rechecks.inLine,
  })

  return {
    current,
    refresh: (user, request) =>
      rechecks.run(user.id, request, (persona) => recheck(user, { ...request, persona })),
    observeWithdrawer: records.observeWithdrawer,
    share: (user, request) =>
      shares.run(user.id, request, (persona) => share(user, { ...request, persona })),
    startInquiry: (user, request) =>
      inquiries.run(user.id, request, (persona) => startInquiry(user, { ...request, persona })),
    ...webhookAppliers(settings, { records }),
  }
}
