/**
 * @module
 * A business payee's record: the facts of its KYB journey (what was submitted, the Persona
 * owners and transaction made for it, what the workflow decided, the Coinflow registration),
 * and {@link deriveBusinessStatus}, the pure function that says what they mean for the gate.
 * Each vendor step is journaled here before it is called, so a retry, a crash or a restart
 * resumes it instead of starting it again (the payouts journal's shape).
 */
import type { BusinessDetails, BusinessState, BusinessStatus } from '@shareflow/contract'
import { isoAt } from '../clock'

export interface BusinessRecord {
  businessId: string
  /** The host user who submitted it; any other user asking about this business is refused. */
  userId: string
  legalName: string
  /** Random per submission; every Idempotency-Key of the journey is derived from it. */
  submission: string
  submittedAt: string
  /**
   * The submitted details, kept only until Coinflow has registered the business (they are the
   * registration's body); then `null`, and the record holds ids and statuses alone.
   */
  details: BusinessDetails | null
  /** Persona account ids of the beneficial owners, by position; `null` until created. */
  ownerAccounts: (string | null)[]
  /** Owners related to the transaction so far (its workflow screens each). */
  ownersRelated: number
  transaction: { id: string; status: string; eventAt: string | null } | null
  /** When Persona was last asked for the transaction (the polling fallback), or `null`. */
  checkedAt: string | null
  coinflow: {
    /** `registering` is written before `POST /withdraw/kyb`; a resumed journey checks first. */
    step: 'registering' | 'done'
    outcome: 'approved' | 'pending' | 'needs_more_info' | 'rejected' | null
    verificationLink: string | null
    at: string
  } | null
}

export const kybKeys = {
  business: (businessId: string) => `kyb:business:${businessId}`,
}

/** Persona spells manual review with a space (persona.md §10); some payloads may not. */
const inReview = (status: string) => /^needs[ _]review$/.test(status)

export interface DeriveOptions {
  now: number
  /** A check running longer than this is `stalled`. */
  stallAfterMs: number
}

/** What the record's facts mean for the gate. */
export function deriveBusinessState(
  record: BusinessRecord | null,
  { now, stallAfterMs }: DeriveOptions,
): BusinessState {
  if (!record) return 'details_required'
  const status = record.transaction?.status ?? 'created'
  if (status === 'declined') return 'declined'
  if (inReview(status)) return 'in_review'
  if (status === 'approved') {
    const outcome = record.coinflow?.outcome ?? null
    if (outcome === 'approved') return 'approved'
    if (outcome === 'rejected') return 'declined'
    if (outcome === 'needs_more_info') return 'needs_more_info'
    return 'checking'
  }
  return now - Date.parse(record.submittedAt) > stallAfterMs ? 'stalled' : 'checking'
}

export function businessStatus(
  record: BusinessRecord | null,
  options: DeriveOptions,
): BusinessStatus {
  const state = deriveBusinessState(record, options)
  const link = record?.coinflow?.verificationLink
  return {
    state,
    ...(record ? { legalName: record.legalName } : {}),
    ...(state === 'needs_more_info' && link ? { verificationLink: link } : {}),
    updatedAt: isoAt(options.now),
  }
}
