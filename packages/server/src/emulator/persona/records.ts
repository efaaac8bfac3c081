/**
 * @module
 * The records the Persona emulator keeps, and how each is serialised as a JSON:API resource in
 * Persona's kebab-case shape (API version 2025-12-08). Times are emulator-clock milliseconds
 * internally and ISO-8601 with milliseconds on the wire.
 */

export type InquiryStatus =
  | 'created'
  | 'pending'
  | 'completed'
  | 'failed'
  | 'expired'
  | 'needs_review'
  | 'approved'
  | 'declined'

/** A field as Persona returns it: wrapped with its type. */
export interface FieldValue {
  type: string
  value: unknown
}

export interface InquirySession {
  id: string
  token: string
  createdAt: number
  expiresAt: number
  status: 'new' | 'active' | 'expired'
}

export interface Verification {
  id: string
  type: string
  status: 'passed' | 'failed'
}

export interface InquiryRecord {
  id: string
  /** Creation order; breaks ties when the clock has not moved between creations. */
  sequence: number
  status: InquiryStatus
  referenceId: string | null
  note: string | null
  tags: string[]
  creator: string
  reviewerComment: string | null
  redirectUri: string | null
  createdAt: number
  updatedAt: number
  startedAt: number | null
  expiresAt: number | null
  completedAt: number | null
  failedAt: number | null
  markedForReviewAt: number | null
  decisionedAt: number | null
  expiredAt: number | null
  redactedAt: number | null
  previousStepName: string | null
  nextStepName: string | null
  fields: Record<string, FieldValue>
  /** `itmpl_…` (Dynamic Flow) or `tmpl_…` (legacy); exactly one template relationship is set. */
  templateId: string
  templateVersionId: string | null
  accountId: string | null
  reviewer: { type: string; id: string } | null
  sessions: InquirySession[]
  verifications: Verification[]
  /** Seconds until expiry after start / resume (`meta.expiration-after-*-interval-seconds`). */
  expireAfterStartSeconds: number
  expireAfterResumeSeconds: number
}

export type ShareTokenStatus = 'created' | 'pending' | 'redeemed' | 'failed' | 'expired'

export type ShareTokenFailure = 'source_not_found' | 'source_redacted' | 'import_failed'

export interface ShareTokenRecord {
  id: string
  sequence: number
  status: ShareTokenStatus
  connectionId: string
  sourceId: string
  creator: { type: 'api-key'; id: string }
  createdAt: number
  updatedAt: number
  pendingAt: number | null
  redeemedAt: number | null
  expiresAt: number
  failedAt: number | null
  failureReason: ShareTokenFailure | null
  redeemMode: 'clone' | 'hydrate' | null
  destinationId: string | null
  /** When a pending redemption finishes on the emulator clock. */
  settlesAt: number | null
  /** What the finished redemption becomes, decided when it starts. */
  settlesAs: { status: 'redeemed' } | { status: 'failed'; reason: ShareTokenFailure } | null
}

export interface CaseRecord {
  id: string
  sequence: number
  status: string
  name: string
  caseTemplateId: string
  createdAt: number
  updatedAt: number
  resolvedAt: number | null
  tags: string[]
  fields: Record<string, FieldValue>
  inquiryIds: string[]
  accountIds: string[]
}

export interface AccountRelation {
  key: string
  targetId: string
  createdAt: number
}

export interface AccountRecord {
  id: string
  sequence: number
  referenceId: string | null
  accountTypeId: string
  accountStatus: string
  fields: Record<string, FieldValue>
  tags: string[]
  createdAt: number
  updatedAt: number
  relations: AccountRelation[]
}

export interface TransactionRecord {
  id: string
  sequence: number
  status: string
  referenceId: string | null
  transactionTypeId: string
  fields: Record<string, FieldValue>
  tags: string[]
  createdAt: number
  updatedAt: number
  /** When the bound workflow has run (emulator clock), or `null`: no workflow, or it has run. */
  runsAt: number | null
  /** Verifications and reports the workflow made (`related-objects`). */
  relatedObjects: { type: string; id: string }[]
}

export const iso = (ms: number) => new Date(ms).toISOString()
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms))

/** The fields every inquiry of the emulated default template carries, null until collected. */
export const defaultInquiryFields: Record<string, string> = {
  'name-first': 'string',
  'name-middle': 'string',
  'name-last': 'string',
  birthdate: 'date',
  'address-street-1': 'string',
  'address-street-2': 'string',
  'address-city': 'string',
  'address-subdivision': 'string',
  'address-postal-code': 'string',
  'address-country-code': 'string',
  'email-address': 'string',
  'phone-number': 'string',
  'identification-number': 'string',
}

/** Wraps plain request values the way Persona echoes them (`{type, value}`). */
export function wrapField(name: string, value: unknown): FieldValue {
  const declared = defaultInquiryFields[name]
  if (declared) return { type: declared, value: value ?? null }
  if (value === null || value === undefined) return { type: 'string', value: null }
  if (typeof value === 'boolean') return { type: 'boolean', value }
  if (typeof value === 'number')
    return { type: Number.isInteger(value) ? 'integer' : 'number', value }
  if (Array.isArray(value)) return { type: 'array', value }
  if (typeof value === 'object') return { type: 'hash', value }
  return { type: 'string', value: String(value) }
}

export function fieldText(
  record: { fields: Record<string, FieldValue> },
  name: string,
): string | null {
  const value = record.fields[name]?.value
  return typeof value === 'string' && value.trim() !== '' ? value : null
}

const one = (type: string, id: string | null) => ({ data: id === null ? null : { type, id } })

export function inquiryResource(inquiry: InquiryRecord) {
  const legacy = inquiry.templateId.startsWith('tmpl_')
  const fields: Record<string, FieldValue> = {}
  for (const [name, type] of Object.entries(defaultInquiryFields))
    fields[name] = { type, value: null }
  Object.assign(fields, inquiry.fields)
  return {
    type: 'inquiry',
    id: inquiry.id,
    attributes: {
      status: inquiry.status,
      'reference-id': inquiry.referenceId,
      note: inquiry.note,
      behaviors: {},
      tags: inquiry.tags,
      creator: inquiry.creator,
      'reviewer-comment': inquiry.reviewerComment,
      'created-at': iso(inquiry.createdAt),
      'updated-at': iso(inquiry.updatedAt),
      'started-at': isoOrNull(inquiry.startedAt),
      'expires-at': isoOrNull(inquiry.expiresAt),
      'completed-at': isoOrNull(inquiry.completedAt),
      'failed-at': isoOrNull(inquiry.failedAt),
      'marked-for-review-at': isoOrNull(inquiry.markedForReviewAt),
      'decisioned-at': isoOrNull(inquiry.decisionedAt),
      'expired-at': isoOrNull(inquiry.expiredAt),
      'redacted-at': isoOrNull(inquiry.redactedAt),
      'previous-step-name': inquiry.previousStepName,
      'next-step-name': inquiry.nextStepName,
      fields: inquiry.redactedAt === null ? fields : {},
    },
    relationships: {
      account: one('account', inquiry.accountId),
      template: one('template', legacy ? inquiry.templateId : null),
      'inquiry-template': one('inquiry-template', legacy ? null : inquiry.templateId),
      'inquiry-template-version': one('inquiry-template-version', inquiry.templateVersionId),
      transaction: one('transaction', null),
      reviewer: { data: inquiry.reviewer },
      reports: { data: [] },
      verifications: {
        data: inquiry.verifications.map(({ id, type }) => ({ type, id })),
      },
      sessions: { data: inquiry.sessions.map(({ id }) => ({ type: 'inquiry-session', id })) },
      documents: { data: [] },
      selfies: { data: [] },
    },
  }
}

export function shareTokenResource(token: ShareTokenRecord) {
  const sourceType = token.sourceId.startsWith('act_') ? 'account' : 'inquiry'
  return {
    type: 'connect/share-token',
    id: token.id,
    attributes: {
      status: token.status,
      direction: 'outbound',
      'created-at': iso(token.createdAt),
      'updated-at': iso(token.updatedAt),
      'pending-at': isoOrNull(token.pendingAt),
      'redeemed-at': isoOrNull(token.redeemedAt),
      'expires-at': iso(token.expiresAt),
      'failed-at': isoOrNull(token.failedAt),
      'failure-reason': token.failureReason,
      'redeem-mode': token.redeemMode,
    },
    relationships: {
      connection: one('connect/connection', token.connectionId),
      creator: { data: token.creator },
      source: one(sourceType, token.sourceId),
      destination: one(sourceType, token.destinationId),
    },
  }
}

export function caseResource(record: CaseRecord) {
  return {
    type: 'case',
    id: record.id,
    attributes: {
      status: record.status,
      name: record.name,
      resolution: null,
      'created-at': iso(record.createdAt),
      'updated-at': iso(record.updatedAt),
      'assigned-at': null,
      'resolved-at': isoOrNull(record.resolvedAt),
      'redacted-at': null,
      'sla-expires-at': null,
      'creator-id': null,
      'creator-type': 'api-key',
      'assignee-id': null,
      'assigner-id': null,
      'assigner-type': null,
      'resolver-id': null,
      'resolver-type': null,
      'updater-id': null,
      'updater-type': null,
      tags: record.tags,
      fields: record.fields,
      attachments: [],
    },
    relationships: {
      'case-template': one('case-template', record.caseTemplateId),
      'case-queue': one('case-queue', null),
      'case-comments': { data: [] },
      accounts: { data: record.accountIds.map((id) => ({ type: 'account', id })) },
      inquiries: { data: record.inquiryIds.map((id) => ({ type: 'inquiry', id })) },
      reports: { data: [] },
      verifications: { data: [] },
      txns: { data: [] },
    },
  }
}

export function accountResource(account: AccountRecord) {
  return {
    type: 'account',
    id: account.id,
    attributes: {
      'reference-id': account.referenceId,
      'account-type-name': 'User',
      'created-at': iso(account.createdAt),
      'updated-at': iso(account.updatedAt),
      'redacted-at': null,
      fields: account.fields,
      tags: account.tags,
      'account-status': account.accountStatus,
    },
    relationships: {
      'account-type': one('account-type', account.accountTypeId),
    },
  }
}

export function transactionResource(transaction: TransactionRecord) {
  return {
    type: 'transaction',
    id: transaction.id,
    attributes: {
      status: transaction.status,
      'reference-id': transaction.referenceId,
      fields: transaction.fields,
      tags: transaction.tags,
      'created-at': iso(transaction.createdAt),
      'updated-at': iso(transaction.updatedAt),
    },
    relationships: {
      reviewer: { data: null },
      'transaction-label': { data: null },
      'transaction-type': one('transaction-type', transaction.transactionTypeId),
      'related-objects': { data: transaction.relatedObjects.slice(0, 100) },
    },
  }
}
