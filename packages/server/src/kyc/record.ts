/**
 * What the BFF remembers about one user's identity journey, and the pure function that turns
 * those facts into the `KycStatus` the browser sees. The record holds *facts* (what Persona said
 * about the inquiry, where the share journal stands, what Coinflow said about the withdrawer);
 * the state is always derived from them, never stored on its own, so no code path can leave the
 * two disagreeing.
 *
 * @module
 */
import { KycReason, type KycNextAction, type KycState, type KycStatus } from '@shareflow/contract'
import { z } from 'zod'
import { isoAt } from '../clock'

const Iso = z.iso.datetime()

/** The user's Persona inquiry as last seen (by API read or webhook). */
export const InquiryFacts = z.object({
  id: z.string(),
  /** Persona's open status enum. */
  status: z.string(),
  createdAt: Iso.nullable(),
  /** `created-at` of the newest Persona event applied; older deliveries are ignored. */
  eventAt: Iso.nullable(),
})
export type InquiryFacts = z.infer<typeof InquiryFacts>

/**
 * The share journal. Each step is written *before* the call it guards, so after a crash the next
 * `POST /kyc/share` knows exactly what may already have happened:
 * `creating_token` (Persona may hold a token: ask again with the same Idempotency-Key) →
 * `token_created` (the token id is known; Coinflow not yet called) → `registering` (Coinflow may
 * have registered the user: look before registering again) → `done` | `failed`.
 */
export const ShareJournal = z.object({
  attempt: z.int().min(1),
  inquiryId: z.string(),
  step: z.enum(['creating_token', 'token_created', 'registering', 'done', 'failed']),
  tokenId: z.string().optional(),
  startedAt: Iso,
  /** When the share reached `done` or `failed`. */
  endedAt: Iso.optional(),
  /**
   * For `failed`: why, as a `KycReason`. Records written before reasons were codes hold an
   * English sentence here, which reads as `share_refused` (the only reason a share failed with).
   */
  failure: z.string().optional(),
  /** The inquiry's status when the share failed; news from Persona since then supersedes it. */
  inquiryStatusAtEnd: z.string().optional(),
})
export type ShareJournal = z.infer<typeof ShareJournal>

/** What Coinflow last said about the withdrawer's verification. */
export const CoinflowFacts = z.object({
  /** Coinflow's `VerificationStatus`, or `needs_more_info` for a 451. */
  status: z.string(),
  verificationLink: z.url().optional(),
  checkedAt: Iso,
  /** `created` of the newest Coinflow KYC webhook applied. */
  eventAt: Iso.nullable(),
})
export type CoinflowFacts = z.infer<typeof CoinflowFacts>

export const KycRecord = z.object({
  v: z.literal(1),
  inquiry: InquiryFacts.optional(),
  share: ShareJournal.optional(),
  coinflow: CoinflowFacts.optional(),
  /** Last time the vendors were asked (not webhooks); `/session` re-asks when this is stale. */
  checkedAt: Iso.optional(),
  /** How many inquiries the BFF created for this user; part of the create Idempotency-Key. */
  inquiriesCreated: z.int().min(0).default(0),
  /**
   * Create keys given up since the last inquiry was made, each because Persona answered a 5xx it
   * replays for that key; part of the create Idempotency-Key, so the next try is a new request.
   */
  inquiryKeysSpent: z.int().min(1).optional(),
  updatedAt: Iso,
})
export type KycRecord = z.infer<typeof KycRecord>

export const emptyKycRecord = (now: number): KycRecord => ({
  v: 1,
  inquiriesCreated: 0,
  updatedAt: isoAt(now),
})

/** Persona inquiry statuses grouped by what they mean for the journey. */
export const inquiryIs = {
  open: (status: string) => status === 'created' || status === 'pending',
  shareable: (status: string) => status === 'completed' || status === 'approved',
  inReview: (status: string) => status === 'needs_review',
  failed: (status: string) => status === 'failed',
  declined: (status: string) => status === 'declined',
  expired: (status: string) => status === 'expired',
}

/** A share still in flight whose worker may have died: after this long, `share` is offered again. */
export const SHARE_LEASE_MS = 60_000

/** A share's recorded failure as the reason the user is shown. */
const shareFailure = (failure: string | undefined): KycReason =>
  KycReason.safeParse(failure).data ?? 'share_refused'

function status(
  state: KycState,
  nextAction: KycNextAction,
  updatedAt: string,
  extra: { reason?: KycReason; verificationLink?: string } = {},
): KycStatus {
  return { state, nextAction, updatedAt, ...extra }
}

/**
 * The user's `KycStatus` from the record's facts, in order of authority: a share in flight, then
 * Coinflow's word on the withdrawer, then Persona's on the inquiry.
 */
export function deriveKycStatus(record: KycRecord, now: number): KycStatus {
  const at = record.updatedAt
  const { share, coinflow, inquiry } = record

  if (share && share.step !== 'done' && share.step !== 'failed') {
    // A share whose worker died mid-way is offered again; the journal makes the retry safe.
    const stalled = now - Date.parse(share.startedAt) > SHARE_LEASE_MS
    return status('sharing', stalled ? 'share' : 'wait', at)
  }

  if (coinflow) {
    switch (coinflow.status) {
      case 'approved':
        return status('approved', 'none', at)
      case 'pending':
      case 'partial-approval':
        return status('pending', 'wait', at)
      case 'needs_more_info':
        return coinflow.verificationLink
          ? status('needs_more_info', 'open_verification_link', at, {
              verificationLink: coinflow.verificationLink,
            })
          : status('pending', 'wait', at)
      case 'rejected':
        return status('rejected', 'contact_support', at, { reason: 'coinflow_rejected' })
      case 'expired':
        return status('expired', 'share', at, { reason: 'coinflow_expired' })
      default:
        // An unknown Coinflow status: wait for a webhook or the next re-check to say more.
        return status('pending', 'wait', at)
    }
  }

  // A share that failed on this very inquiry means the inquiry can't be used, until Persona has
  // news about it (a reviewer approving it after `mark-for-review`, say).
  if (
    share?.step === 'failed' &&
    inquiry?.id === share.inquiryId &&
    inquiryIs.shareable(inquiry.status) &&
    inquiry.status === (share.inquiryStatusAtEnd ?? inquiry.status)
  ) {
    return status('inquiry_required', 'start_inquiry', at, {
      reason: shareFailure(share.failure),
    })
  }

  if (!inquiry) return status('unverified', 'start_inquiry', at)
  if (inquiryIs.open(inquiry.status)) return status('in_progress', 'resume_inquiry', at)
  if (inquiryIs.shareable(inquiry.status)) return status('sharing', 'share', at)
  if (inquiryIs.inReview(inquiry.status)) {
    return status('pending', 'wait', at, { reason: 'in_review' })
  }
  if (inquiryIs.failed(inquiry.status)) {
    return status('inquiry_required', 'start_inquiry', at, { reason: 'inquiry_failed' })
  }
  if (inquiryIs.declined(inquiry.status)) {
    return status('rejected', 'contact_support', at, { reason: 'inquiry_declined' })
  }
  if (inquiryIs.expired(inquiry.status)) {
    return status('expired', 'resume_inquiry', at, { reason: 'inquiry_expired' })
  }
  // Persona may add statuses without a new API version; treat the unknown as still open.
  return status('in_progress', 'resume_inquiry', at)
}

/** Whether two statuses differ in anything the user would see (the timestamp aside). */
export function statusChanged(before: KycStatus, after: KycStatus): boolean {
  return (
    before.state !== after.state ||
    before.nextAction !== after.nextAction ||
    before.verificationLink !== after.verificationLink ||
    before.reason !== after.reason
  )
}

export const kycKeys = {
  record: (userId: string) => `kyc:user:${userId}`,
  byInquiry: (inquiryId: string) => `kyc:inquiry:${inquiryId}`,
  byShareToken: (tokenId: string) => `kyc:share-token:${tokenId}`,
  shareLock: (userId: string) => `kyc:lock:share:${userId}`,
  inquiryLock: (userId: string) => `kyc:lock:inquiry:${userId}`,
}
