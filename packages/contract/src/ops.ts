import { z } from 'zod'
import { KycStatus } from './kyc'

/**
 * The operator side's wire: what the host's compliance staff read and send on the ops module's
 * routes (mounted on the host's staff-only prefix). Ids and statuses only, never personal data.
 */

const Iso = z.iso.datetime()

/** Why a user waits for a human. */
export const ReviewReason = z.enum([
  /** Persona put the inquiry in `needs_review` (a workflow, or `mark-for-review`). */
  'persona_review',
  /** Coinflow refused the shared verification. */
  'coinflow_refused',
  /** The host's own fraud signal (`ops.flagForReview`). */
  'host_flag',
])
export type ReviewReason = z.infer<typeof ReviewReason>

export const ReviewEntry = z.strictObject({
  userId: z.string(),
  reason: ReviewReason,
  /** When the user entered the queue; the queue is oldest first. */
  since: Iso,
})
export type ReviewEntry = z.infer<typeof ReviewEntry>

export const ReviewQueuePage = z.strictObject({
  entries: z.array(ReviewEntry),
  /** Pass as `cursor` for the next page; `null` on the last. */
  nextCursor: z.string().nullable(),
})
export type ReviewQueuePage = z.infer<typeof ReviewQueuePage>

export const OperatorAction = z.enum([
  'mark_for_review',
  'approve',
  'decline',
  'create_case',
  'set_case_status',
  'recheck',
])
export type OperatorAction = z.infer<typeof OperatorAction>

/** One operator action, journaled before its vendor call and completed after it. */
export const JournalEntry = z.strictObject({
  id: z.string(),
  at: Iso,
  operatorId: z.string(),
  action: OperatorAction,
  userId: z.string(),
  reason: z.string(),
  /** The Persona object acted on (`inq_…`, `case_…`). */
  targetId: z.string().nullable(),
  outcome: z.enum(['requested', 'done', 'refused']),
})
export type JournalEntry = z.infer<typeof JournalEntry>

export const JournalPage = z.strictObject({
  entries: z.array(JournalEntry),
  nextCursor: z.string().nullable(),
})
export type JournalPage = z.infer<typeof JournalPage>

export const CaseFacts = z.strictObject({
  id: z.string(),
  /** The case template's own status string (`Open`, `Approved`, …). */
  status: z.string(),
  /** What the configured map made of `status` for the inquiry, once applied. */
  decision: z.enum(['approve', 'decline']).nullable(),
  updatedAt: Iso,
})
export type CaseFacts = z.infer<typeof CaseFacts>

/** A user's record as an operator sees it: ids and statuses, not personal data. */
export const OperatorUserRecord = z.strictObject({
  userId: z.string(),
  kyc: KycStatus,
  inquiry: z
    .strictObject({ id: z.string(), status: z.string(), eventAt: Iso.nullable() })
    .nullable(),
  share: z
    .strictObject({
      attempt: z.int(),
      step: z.string(),
      tokenId: z.string().nullable(),
      startedAt: Iso,
      endedAt: Iso.nullable(),
    })
    .nullable(),
  coinflow: z
    .strictObject({ status: z.string(), checkedAt: Iso, eventAt: Iso.nullable() })
    .nullable(),
  review: ReviewEntry.nullable(),
  cases: z.array(CaseFacts),
  journal: z.array(JournalEntry),
})
export type OperatorUserRecord = z.infer<typeof OperatorUserRecord>

/**
 * Why the operator acts; journaled with their id. Required on every action. (Persona's
 * `mark-for-review` takes no comment, so the reason is the comment, kept in the journal.)
 */
const Reason = z.string().trim().min(3).max(500)

export const OperatorActionRequest = z.strictObject({ reason: Reason })
export type OperatorActionRequest = z.infer<typeof OperatorActionRequest>

export const SetCaseStatusRequest = z.strictObject({
  reason: Reason,
  /** One of the case template's statuses the host configured. */
  status: z.string().trim().min(1).max(64),
})
export type SetCaseStatusRequest = z.infer<typeof SetCaseStatusRequest>

export const RelatedObject = z.strictObject({
  type: z.enum(['account', 'transaction']),
  id: z.string(),
})
export const RelationList = z.strictObject({
  accountId: z.string(),
  key: z.string(),
  related: z.array(RelatedObject),
})
export type RelationList = z.infer<typeof RelationList>

export const MerchantBalance = z.strictObject({
  /** Integer cents, USD: what Coinflow's merchant payout wallet holds. */
  balance: z.strictObject({ cents: z.int(), currency: z.literal('USD') }),
})
export type MerchantBalance = z.infer<typeof MerchantBalance>

/** The ops module's routes, below the host's staff-only prefix. */
export const opsRoutes = {
  reviewQueue: '/review-queue',
  journal: '/journal',
  user: '/users/:userId',
  markForReview: '/users/:userId/mark-for-review',
  approve: '/users/:userId/approve',
  decline: '/users/:userId/decline',
  recheck: '/users/:userId/recheck',
  cases: '/users/:userId/cases',
  caseStatus: '/cases/:caseId/set-status',
  relations: '/accounts/:accountId/relations',
  merchantBalance: '/merchant-balance',
  openapi: '/openapi.json',
} as const
