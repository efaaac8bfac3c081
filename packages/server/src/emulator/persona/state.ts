/**
 * @module
 * The Persona emulator's state and every transition it allows: the inquiry lifecycle through the
 * statuses of Persona's inquiry object (each step in the emulator's README.md), Connect share
 * tokens (created → pending → redeemed | failed, or expired), cases, accounts and transactions.
 * Each transition stamps its `*-at` time from the emulator clock and raises the matching webhook
 * event, signed with the same `signWebhook` the BFF verifies with.
 *
 * Work that happens "later" (a redemption finishing, an inquiry or token expiring) is not
 * scheduled on a timer: `settleDue()` applies whatever the clock has reached, in time order, and
 * runs before every API request and on the emulator's heartbeat.
 */
import { signWebhook } from '../../webhooks/signature'
import {
  systemClock,
  type DestinationTemplate,
  type EmulatorWorld,
  type SharedIdentity,
  type ShareTokenRedemption,
} from '../world'
import { conflict, notFound, recordInvalid } from './errors'
import { magicOutcome } from './magic'
import { runWorkflow, stalls, type TransactionType } from './transaction-workflow'
import {
  type AccountRecord,
  type CaseRecord,
  type InquiryRecord,
  type InquirySession,
  type InquiryStatus,
  type ShareTokenRecord,
  type TransactionRecord,
  accountResource,
  caseResource,
  fieldText,
  inquiryResource,
  iso,
  shareTokenResource,
  transactionResource,
} from './records'

export interface PersonaWebhookTarget {
  url: string
  /** One secret, or two while a rotation is in progress (both sign every delivery). */
  secret: string | readonly string[]
  /** Event names to send (`inquiry.completed`, `connect/share-token.outbound-redeemed`); all when omitted. */
  enabledEvents?: readonly string[]
}

export interface PersonaStateOptions {
  webhooks?: readonly PersonaWebhookTarget[]
  /** Where the hosted inquiry flow is served; one-time links point here. */
  hostedOrigin?: string
  /**
   * The organization's active Connect connections (`cxn_…`), the only ones share tokens can be made
   * for. `createEmulator` always adds the emulated Coinflow's; list others (another destination
   * organization) here.
   */
  connections?: readonly string[]
  /**
   * Emulator-clock milliseconds a share-token redemption stays `pending` when its destination
   * template is not one of `destinationTemplates`. Default 2 000.
   */
  redeemDelayMs?: number
  /**
   * Inquiry templates (`itmpl_…`) of this organization that API redemptions (`/redeem` with a
   * `destination-id`) run: how long their checks take, and which fields they need.
   */
  destinationTemplates?: Readonly<Record<string, DestinationTemplate>>
  /**
   * Transaction types (`txntp_…`) of this organization and the workflow each is bound to.
   * `createEmulator` always adds {@link EMULATOR_KYB_TRANSACTION_TYPE_ID}; a transaction of any
   * other type has no workflow and stays `created`.
   */
  transactionTypes?: Readonly<Record<string, TransactionType>>
  /**
   * The statuses each case template (`ctmpl_…`) defines, as an organization sets them up in the
   * dashboard; a template not listed has {@link DEFAULT_CASE_STATUSES}. `set-status` refuses a
   * status its case's template lacks (422), as Persona does.
   */
  caseTemplates?: Readonly<Record<string, readonly string[]>>
}

/** The statuses of a case template the organization did not describe: Persona's examples. */
export const DEFAULT_CASE_STATUSES: readonly string[] = ['Open', 'Pending', 'Approved', 'Declined']

const DAY_SECONDS = 86_400
export const SHARE_TOKEN_DEFAULT_SECONDS = 14 * DAY_SECONDS
export const SHARE_TOKEN_MIN_SECONDS = 60
export const SHARE_TOKEN_MAX_SECONDS = 21 * DAY_SECONDS
const ONE_TIME_LINK_DEFAULT_SECONDS = DAY_SECONDS

export interface OneTimeLink {
  code: string
  inquiryId: string
  sessionId: string
  expiresAt: number
  usedAt: number | null
}

const finished: ReadonlySet<InquiryStatus> = new Set([
  'completed',
  'failed',
  'approved',
  'declined',
  'needs_review',
])

export type PersonaState = ReturnType<typeof createPersonaState>

export function createPersonaState(world: EmulatorWorld, options: PersonaStateOptions = {}) {
  const { webhooks = [], hostedOrigin = 'http://localhost:3000', redeemDelayMs = 2_000 } = options
  const connections = new Set(options.connections)
  const inquiries = new Map<string, InquiryRecord>()
  const shareTokens = new Map<string, ShareTokenRecord>()
  const cases = new Map<string, CaseRecord>()
  const accounts = new Map<string, AccountRecord>()
  const transactions = new Map<string, TransactionRecord>()
  const oneTimeLinks = new Map<string, OneTimeLink>()
  const apiKeyId = world.ids.next('api')
  const defaultAccountTypeId = world.ids.next('acttp')
  let sequence = 0
  /** Signing is async; chaining keeps deliveries in the order the events happened. */
  let signing: Promise<void> = Promise.resolve()

  const now = () => world.clock.now()
  const nextSequence = () => sequence++

  /* ---- Webhooks ---- */

  function emit(
    name: string,
    data: unknown,
    at = now(),
    { included = true, context }: { included?: boolean; context?: Record<string, unknown> } = {},
  ): Promise<void> {
    const targets = webhooks.filter(
      (target) =>
        !target.enabledEvents ||
        target.enabledEvents.includes(name) ||
        target.enabledEvents.includes('*'),
    )
    if (targets.length === 0) return signing
    const body = JSON.stringify({
      data: {
        type: 'event',
        id: world.ids.next('evt'),
        attributes: {
          name,
          payload: included ? { data, included: [] } : { data },
          // Relation events say which relation and object they are about (Persona's spec).
          ...(context ? { context } : {}),
          'created-at': iso(at),
        },
      },
    })
    signing = signing.then(async () => {
      for (const target of targets) {
        const signature = await signWebhook({
          payload: body,
          secret: target.secret,
          // Real time, as Persona signs: the emulator clock may be days ahead of any receiver's.
          timestamp: Math.floor(systemClock.now() / 1000),
        })
        world.webhooks.deliver({
          vendor: 'persona',
          url: target.url,
          body,
          headers: { 'Content-Type': 'application/json', 'Persona-Signature': signature },
        })
      }
    })
    return signing
  }

  const emitInquiry = (name: string, inquiry: InquiryRecord, at?: number) =>
    emit(`inquiry.${name}`, inquiryResource(inquiry), at)

  /* ---- Lookups ---- */

  function inquiry(id: string): InquiryRecord {
    const found = inquiries.get(id)
    if (!found) throw notFound()
    return found
  }

  function shareToken(id: string): ShareTokenRecord {
    const found = shareTokens.get(id)
    if (!found) throw notFound()
    return found
  }

  /* ---- Inquiries ---- */

  function touch(record: { updatedAt: number }, at: number) {
    record.updatedAt = at
  }

  function setSteps(record: InquiryRecord, previous: string | null, next: string | null) {
    record.previousStepName = previous
    record.nextStepName = next
  }

  function newSession(record: InquiryRecord, at: number): InquirySession {
    const id = world.ids.next('iqse')
    const session: InquirySession = {
      id,
      token: sessionToken(id, at),
      createdAt: at,
      expiresAt: at + DAY_SECONDS * 1000,
      status: 'new',
    }
    record.sessions.push(session)
    return session
  }

  /**
   * A JWT-shaped token like Persona's (`sub`/`sid` = the session, `aud` = persona-verify). Nobody
   * verifies the signature: the emulator looks the whole token up instead.
   */
  function sessionToken(sessionId: string, at: number): string {
    const encode = (value: object) =>
      btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')
    const issuedAt = Math.floor(at / 1000)
    const claims = {
      sub: sessionId,
      sid: sessionId,
      aud: 'persona-verify',
      iss: 'persona-emulator',
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + DAY_SECONDS,
      jti: world.ids.next('jti').slice(4),
    }
    return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.${world.ids.next('sig').slice(4)}`
  }

  function usableSession(record: InquiryRecord, at: number): InquirySession {
    const reusable = record.sessions.find(
      (session) => session.status !== 'expired' && session.expiresAt > at,
    )
    return reusable ?? newSession(record, at)
  }

  async function createInquiry(input: {
    templateId: string
    templateVersionId: string | null
    referenceId: string | null
    accountId: string | null
    autoCreateAccount: boolean
    accountReferenceId: string | null
    fields: Record<string, { type: string; value: unknown }>
    note: string | null
    tags: string[]
    redirectUri: string | null
    creatorEmail: string | null
    expireAfterCreateSeconds: number | null
    expireAfterStartSeconds: number | null
    expireAfterResumeSeconds: number | null
  }): Promise<InquiryRecord> {
    const at = now()
    let accountId = input.accountId
    if (accountId !== null && !accounts.has(accountId)) {
      throw recordInvalid('account-id does not exist', '/data/attributes/account-id')
    }
    if (accountId === null && input.autoCreateAccount) {
      const referenceId = input.accountReferenceId ?? input.referenceId
      const existing =
        referenceId === null
          ? undefined
          : [...accounts.values()].find((a) => a.referenceId === referenceId)
      accountId =
        existing?.id ??
        (await createAccount({ referenceId, accountTypeId: null, fields: {}, tags: [] })).id
    }
    const record: InquiryRecord = {
      id: world.ids.next('inq'),
      sequence: nextSequence(),
      status: 'created',
      referenceId: input.referenceId,
      note: input.note,
      tags: input.tags,
      creator: input.creatorEmail ?? 'API',
      reviewerComment: null,
      redirectUri: input.redirectUri,
      createdAt: at,
      updatedAt: at,
      startedAt: null,
      expiresAt:
        input.expireAfterCreateSeconds === null ? null : at + input.expireAfterCreateSeconds * 1000,
      completedAt: null,
      failedAt: null,
      markedForReviewAt: null,
      decisionedAt: null,
      expiredAt: null,
      redactedAt: null,
      previousStepName: null,
      nextStepName: 'start',
      fields: input.fields,
      templateId: input.templateId,
      templateVersionId: input.templateVersionId,
      accountId,
      reviewer: null,
      sessions: [],
      verifications: [],
      expireAfterStartSeconds: input.expireAfterStartSeconds ?? DAY_SECONDS,
      expireAfterResumeSeconds: input.expireAfterResumeSeconds ?? DAY_SECONDS,
    }
    inquiries.set(record.id, record)
    await emitInquiry('created', record, at)
    return record
  }

  function notRedacted(record: InquiryRecord) {
    if (record.redactedAt !== null) throw conflict('Inquiry already redacted')
  }

  function expectStatus(record: InquiryRecord, allowed: readonly InquiryStatus[], action: string) {
    notRedacted(record)
    if (!allowed.includes(record.status)) {
      throw conflict(`Cannot ${action} an inquiry with status ${record.status}`)
    }
  }

  async function startInquiry(record: InquiryRecord, at = now()) {
    expectStatus(record, ['created', 'pending'], 'start')
    if (record.status === 'pending') return
    record.status = 'pending'
    record.startedAt = at
    record.expiresAt = at + record.expireAfterStartSeconds * 1000
    setSteps(record, 'start', 'verification_government_id')
    touch(record, at)
    await emitInquiry('started', record, at)
  }

  /**
   * The success screen. A workflow bound to the emulated template then decides on some inquiries
   * by their magic names (see magic.ts), as a real org's workflow would.
   */
  /** The person reaches the success screen (`completed`) or the failure screen (`failed`). */
  async function finishInquiry(record: InquiryRecord, status: 'completed' | 'failed', at: number) {
    expectStatus(record, ['created', 'pending'], status === 'completed' ? 'complete' : 'fail')
    if (record.status === 'created') await startInquiry(record, at)
    record.status = status
    if (status === 'completed') record.completedAt = at
    else record.failedAt = at
    record.expiresAt = null
    setSteps(record, 'verification_government_id', status === 'completed' ? 'success' : 'fail')
    touch(record, at)
    await emitInquiry(status, record, at)
  }

  /**
   * The success screen. A workflow bound to the emulated template then decides on some inquiries
   * by their magic names (see magic.ts), as a real org's workflow would.
   */
  async function completeInquiry(record: InquiryRecord, at = now()) {
    await finishInquiry(record, 'completed', at)
    const outcome = magicOutcome(record)
    if (outcome === 'decline') await decide(record, 'declined', null, at, 'workflow-run')
    if (outcome === 'review') await markForReview(record, null, at)
  }

  const failInquiry = (record: InquiryRecord, at = now()) => finishInquiry(record, 'failed', at)

  async function expireInquiry(record: InquiryRecord, at = now()) {
    expectStatus(record, ['created', 'pending'], 'expire')
    record.status = 'expired'
    record.expiredAt = at
    record.expiresAt = null
    for (const session of record.sessions) session.status = 'expired'
    touch(record, at)
    await emitInquiry('expired', record, at)
  }

  async function markForReview(record: InquiryRecord, comment: string | null, at = now()) {
    expectStatus(
      record,
      ['created', 'pending', 'completed', 'failed', 'needs_review'],
      'mark for review',
    )
    record.status = 'needs_review'
    record.markedForReviewAt = at
    if (comment !== null) record.reviewerComment = comment
    touch(record, at)
    await emitInquiry('marked-for-review', record, at)
  }

  async function decide(
    record: InquiryRecord,
    status: 'approved' | 'declined',
    comment: string | null,
    at = now(),
    reviewerType: 'user' | 'workflow-run' = 'user',
  ) {
    expectStatus(
      record,
      ['completed', 'failed', 'needs_review'],
      status === 'approved' ? 'approve' : 'decline',
    )
    record.status = status
    record.decisionedAt = at
    record.reviewer = {
      type: reviewerType,
      id: world.ids.next(reviewerType === 'user' ? 'user' : 'wfr'),
    }
    if (comment !== null) record.reviewerComment = comment
    touch(record, at)
    await emitInquiry(status, record, at)
  }

  /** Returns the session to continue with; an expired inquiry goes back to `pending`. */
  async function resumeInquiry(record: InquiryRecord, at = now()): Promise<InquirySession> {
    notRedacted(record)
    if (finished.has(record.status)) {
      throw conflict(`Cannot resume an inquiry with status ${record.status}`)
    }
    if (record.status === 'expired') {
      record.status = 'pending'
      record.expiredAt = null
      record.expiresAt = at + record.expireAfterResumeSeconds * 1000
      touch(record, at)
    }
    return usableSession(record, at)
  }

  async function redactInquiry(record: InquiryRecord, at = now()) {
    notRedacted(record)
    record.redactedAt = at
    record.fields = {}
    touch(record, at)
    await emitInquiry('redacted', record, at)
  }

  function oneTimeLink(record: InquiryRecord, expiresInSeconds: number | null, at = now()) {
    notRedacted(record)
    if (finished.has(record.status)) {
      throw conflict(`Cannot generate a one-time link for an inquiry with status ${record.status}`)
    }
    const session = newSession(record, at)
    const code = world.ids.next('otl').slice(4)
    oneTimeLinks.set(code, {
      code,
      inquiryId: record.id,
      sessionId: session.id,
      expiresAt: at + (expiresInSeconds ?? ONE_TIME_LINK_DEFAULT_SECONDS) * 1000,
      usedAt: null,
    })
    return {
      'one-time-link': `${hostedOrigin}/persona/verify?code=${code}`,
      'one-time-link-short': `${hostedOrigin}/persona/v/${code}`,
    }
  }

  function sessionByToken(
    record: InquiryRecord,
    token: string,
    at = now(),
  ): InquirySession | undefined {
    return record.sessions.find(
      (session) =>
        session.token === token && session.status !== 'expired' && session.expiresAt > at,
    )
  }

  /* ---- Share tokens ---- */

  async function createShareToken(input: {
    connectionId: string
    sourceId: string
    expiresInSeconds: number | null
  }): Promise<ShareTokenRecord> {
    const at = now()
    if (!/^cxn_[A-Za-z0-9]+$/.test(input.connectionId)) {
      throw recordInvalid(
        'connection-id must be a Connect connection id (cxn_…)',
        '/data/attributes/connection-id',
      )
    }
    // Persona lists no 404 here either; a connection the organization lacks is an invalid
    // attribute, caught now rather than when the destination fails to redeem the token.
    if (!connections.has(input.connectionId)) {
      throw recordInvalid(
        'connection-id is not a connection of this organization',
        '/data/attributes/connection-id',
      )
    }
    const source = inquiries.get(input.sourceId)
    // Persona lists no 404 for this operation: an unknown source is an invalid attribute.
    if (!source || source.redactedAt !== null) {
      throw recordInvalid('source-id is not found', '/data/attributes/source-id')
    }
    if (source.status !== 'completed' && source.status !== 'approved') {
      throw recordInvalid(
        `source-id must be a completed or approved inquiry (it is ${source.status})`,
        '/data/attributes/source-id',
      )
    }
    const seconds = input.expiresInSeconds ?? SHARE_TOKEN_DEFAULT_SECONDS
    const token: ShareTokenRecord = {
      id: world.ids.next('cnst'),
      sequence: nextSequence(),
      status: 'created',
      connectionId: input.connectionId,
      sourceId: input.sourceId,
      creator: { type: 'api-key', id: apiKeyId },
      createdAt: at,
      updatedAt: at,
      pendingAt: null,
      redeemedAt: null,
      expiresAt: at + seconds * 1000,
      failedAt: null,
      failureReason: null,
      redeemMode: null,
      destinationId: null,
      settlesAt: null,
      settlesAs: null,
    }
    shareTokens.set(token.id, token)
    await emit('connect/share-token.outbound-created', shareTokenResource(token), at)
    return token
  }

  function redeemShareToken(
    token: ShareTokenRecord,
    destinationId: string | null,
    at = now(),
    destination: DestinationTemplate | undefined = destinationTemplateOf(destinationId),
  ) {
    if (token.status !== 'created') {
      throw conflict(`Share token cannot be redeemed with status ${token.status}`)
    }
    const source = inquiries.get(token.sourceId)
    token.status = 'pending'
    token.pendingAt = at
    token.redeemMode = destinationId === null ? 'clone' : 'hydrate'
    token.destinationId = destinationId
    touch(token, at)
    if (source && source.redactedAt === null && destination) {
      const identity = sharedIdentity(source)
      // The destination inquiry waits for the person to add what is missing; so does the token.
      if (destination.requiredFields.some((field) => identity[field] === null)) return
    }
    token.settlesAt = at + (destination?.runMs ?? redeemDelayMs)
    token.settlesAs = !source
      ? { status: 'failed', reason: 'source_not_found' }
      : source.redactedAt !== null
        ? { status: 'failed', reason: 'source_redacted' }
        : { status: 'redeemed' }
  }

  function destinationTemplateOf(destinationId: string | null) {
    const templateId = destinationId === null ? null : inquiries.get(destinationId)?.templateId
    return templateId ? options.destinationTemplates?.[templateId] : undefined
  }

  async function expireShareToken(token: ShareTokenRecord, at = now()) {
    if (token.status !== 'created') {
      throw conflict(`Share token cannot be expired with status ${token.status}`)
    }
    token.status = 'expired'
    touch(token, at)
  }

  function sharedIdentity(record: InquiryRecord): SharedIdentity {
    const idNumber = fieldText(record, 'identification-number')
    return {
      inquiryId: record.id,
      inquiryStatus: record.status,
      referenceId: record.referenceId,
      email: fieldText(record, 'email-address'),
      nameFirst: fieldText(record, 'name-first'),
      nameLast: fieldText(record, 'name-last'),
      birthdate: fieldText(record, 'birthdate'),
      addressStreet1: fieldText(record, 'address-street-1'),
      addressCity: fieldText(record, 'address-city'),
      addressSubdivision: fieldText(record, 'address-subdivision'),
      addressPostalCode: fieldText(record, 'address-postal-code'),
      addressCountryCode: fieldText(record, 'address-country-code'),
      identificationNumberLast4:
        idNumber === null ? null : idNumber.replace(/\D/g, '').slice(-4) || null,
    }
  }

  /** What Coinflow's org sees when it redeems a token (the destination side of Connect). */
  async function redeemForDestination(
    tokenId: string,
    connectionId: string,
    destination?: DestinationTemplate,
  ): Promise<ShareTokenRedemption> {
    await settleDue()
    const token = shareTokens.get(tokenId)
    if (!token) return { ok: false, reason: 'not_found' }
    if (token.connectionId !== connectionId) return { ok: false, reason: 'wrong_connection' }
    if (token.status === 'expired') return { ok: false, reason: 'expired' }
    if (token.status !== 'created') return { ok: false, reason: 'already_redeemed' }
    const source = inquiries.get(token.sourceId)
    // Coinflow hydrates an inquiry of its own with the shared data.
    redeemShareToken(token, world.ids.next('inq'), now(), destination)
    if (!source || source.redactedAt !== null) return { ok: false, reason: 'not_found' }
    return { ok: true, identity: sharedIdentity(source) }
  }

  /* ---- Cases, accounts, transactions ---- */

  async function createCase(input: {
    caseTemplateId: string
    fields: Record<string, { type: string; value: unknown }>
    objectIds: string[]
  }): Promise<CaseRecord> {
    const at = now()
    const inquiryIds: string[] = []
    const accountIds: string[] = []
    for (const id of input.objectIds) {
      if (inquiries.has(id)) inquiryIds.push(id)
      else if (accounts.has(id)) accountIds.push(id)
      else throw notFound('meta.object-ids has an id that is not found')
    }
    const record: CaseRecord = {
      id: world.ids.next('case'),
      sequence: nextSequence(),
      status: 'Open',
      name: `CASE-${cases.size + 1}`,
      caseTemplateId: input.caseTemplateId,
      createdAt: at,
      updatedAt: at,
      resolvedAt: null,
      tags: [],
      fields: input.fields,
      inquiryIds,
      accountIds,
    }
    cases.set(record.id, record)
    await emit('case.created', caseResource(record), at)
    return record
  }

  const caseStatuses = (templateId: string) =>
    options.caseTemplates?.[templateId] ?? DEFAULT_CASE_STATUSES

  async function setCaseStatus(record: CaseRecord, status: string) {
    if (!caseStatuses(record.caseTemplateId).includes(status)) {
      throw recordInvalid(
        `status "${status}" is not a status of this case's template`,
        '/meta/status',
      )
    }
    const at = now()
    record.status = status
    record.resolvedAt = /^(approved|declined|resolved|closed)$/i.test(status) ? at : null
    touch(record, at)
    await emit('case.status-updated', caseResource(record), at)
  }

  async function createAccount(input: {
    referenceId: string | null
    accountTypeId: string | null
    fields: Record<string, { type: string; value: unknown }>
    tags: string[]
  }): Promise<AccountRecord> {
    const at = now()
    const record: AccountRecord = {
      id: world.ids.next('act'),
      sequence: nextSequence(),
      referenceId: input.referenceId,
      accountTypeId: input.accountTypeId ?? defaultAccountTypeId,
      accountStatus: 'Default',
      fields: input.fields,
      tags: input.tags,
      createdAt: at,
      updatedAt: at,
      relations: [],
    }
    accounts.set(record.id, record)
    await emit('account.created', accountResource(record), at)
    return record
  }
  /**
   * Relates `record` to another account or a transaction under `key` (once per pair) and emits
   * `account.added-relation`, whose `context` names the relation and the related object.
   */
  async function addAccountRelation(record: AccountRecord, key: string, targetId: string) {
    if (record.relations.some((r) => r.key === key && r.targetId === targetId)) return
    const at = now()
    record.relations.push({ key, targetId, createdAt: at })
    record.updatedAt = at
    const toAccount = accounts.has(targetId)
    await emit('account.added-relation', accountResource(record), at, {
      context: {
        'relation-schema-key': key,
        'target-account-id': toAccount ? targetId : null,
        'target-txn-id': toAccount ? null : targetId,
      },
    })
  }

  async function createTransaction(input: {
    transactionTypeId: string
    referenceId: string | null
    fields: Record<string, { type: string; value: unknown }>
    tags: string[]
  }): Promise<TransactionRecord> {
    const at = now()
    const record: TransactionRecord = {
      id: world.ids.next('txn'),
      sequence: nextSequence(),
      status: 'created',
      referenceId: input.referenceId,
      transactionTypeId: input.transactionTypeId,
      fields: input.fields,
      tags: input.tags,
      createdAt: at,
      updatedAt: at,
      runsAt: null,
      relatedObjects: [],
    }
    const type = options.transactionTypes?.[input.transactionTypeId]
    if (type && !stalls(record)) record.runsAt = at + (type.runMs ?? 3_000)
    transactions.set(record.id, record)
    await emit('transaction.created', transactionResource(record), at)
    return record
  }

  /** A transaction's status set by someone (`PATCH`, an operator's decision after review). */
  async function setTransactionStatus(record: TransactionRecord, status: string) {
    if (record.status === status) return
    const at = now()
    record.status = status
    record.runsAt = null
    touch(record, at)
    await emit('transaction.status-updated', transactionResource(record), at)
  }

  /**
   * Runs the workflow bound to the transaction's type: each verification and report as the
   * workflow makes it (`verification.created`, then `.passed|failed`; `report/<type>.ready`, and
   * `.matched` on a hit), then the transaction's new status. Owners are the accounts related to it.
   */
  async function runTransactionWorkflow(record: TransactionRecord, at: number) {
    record.runsAt = null
    const type = options.transactionTypes?.[record.transactionTypeId]
    if (!type || record.status !== 'created') return
    const owners = [...accounts.values()].filter((account) =>
      account.relations.some((relation) => relation.targetId === record.id),
    )
    const run = runWorkflow({
      transaction: record,
      type,
      owners,
      at,
      nextId: (prefix) => world.ids.next(prefix),
    })
    for (const step of run.verifications) {
      const created = {
        ...step.resource,
        attributes: {
          ...step.resource.attributes,
          status: 'initiated',
          'completed-at': null,
          'completed-at-ts': null,
        },
      }
      await emit('verification.created', created, at)
      await emit(`verification.${step.passed ? 'passed' : 'failed'}`, step.resource, at)
      record.relatedObjects.push({ type: step.resource.type, id: step.resource.id })
    }
    for (const report of run.reports) {
      // Report events leave `included` out entirely when inclusion is off (the spec's note).
      await emit(`report/${report.name}.ready`, report.resource, at, { included: false })
      if (report.matched) {
        await emit(`report/${report.name}.matched`, report.resource, at, { included: false })
      }
      record.relatedObjects.push({ type: report.resource.type, id: report.resource.id })
    }
    record.status = run.status
    touch(record, at)
    await emit('transaction.status-updated', transactionResource(record), at)
  }

  /* ---- Time ---- */

  /** Applies every transition the clock has reached, oldest first. */
  async function settleDue(): Promise<void> {
    const at = now()
    type Due = { dueAt: number; sequence: number; apply: () => Promise<void> }
    const due: Due[] = []
    for (const token of shareTokens.values()) {
      if (token.status === 'pending' && token.settlesAt !== null && token.settlesAt <= at) {
        const settlesAt = token.settlesAt
        due.push({
          dueAt: settlesAt,
          sequence: token.sequence,
          apply: () => finishRedemption(token, settlesAt),
        })
      } else if (token.status === 'created' && token.expiresAt <= at) {
        const expiresAt = token.expiresAt
        due.push({
          dueAt: expiresAt,
          sequence: token.sequence,
          apply: async () => {
            token.status = 'expired'
            touch(token, expiresAt)
          },
        })
      }
    }
    for (const record of inquiries.values()) {
      if (
        (record.status === 'created' || record.status === 'pending') &&
        record.expiresAt !== null &&
        record.expiresAt <= at
      ) {
        const expiresAt = record.expiresAt
        due.push({
          dueAt: expiresAt,
          sequence: record.sequence,
          apply: () => expireInquiry(record, expiresAt),
        })
      }
    }
    for (const record of transactions.values()) {
      if (record.runsAt !== null && record.runsAt <= at) {
        const runsAt = record.runsAt
        due.push({
          dueAt: runsAt,
          sequence: record.sequence,
          apply: () => runTransactionWorkflow(record, runsAt),
        })
      }
    }
    due.sort((a, b) => a.dueAt - b.dueAt || a.sequence - b.sequence)
    for (const item of due) await item.apply()
  }

  async function finishRedemption(token: ShareTokenRecord, at: number) {
    const outcome = token.settlesAs ?? { status: 'redeemed' as const }
    token.settlesAt = null
    token.settlesAs = null
    if (outcome.status === 'redeemed') {
      token.status = 'redeemed'
      token.redeemedAt = at
    } else {
      token.status = 'failed'
      token.failedAt = at
      token.failureReason = outcome.reason
    }
    touch(token, at)
    if (outcome.status === 'redeemed') {
      await emit('connect/share-token.outbound-redeemed', shareTokenResource(token), at)
    }
  }

  return {
    world,
    now,
    inquiries,
    shareTokens,
    cases,
    accounts,
    transactions,
    oneTimeLinks,
    inquiry,
    shareToken,
    createInquiry,
    startInquiry,
    completeInquiry,
    failInquiry,
    expireInquiry,
    markForReview,
    decide,
    resumeInquiry,
    redactInquiry,
    oneTimeLink,
    sessionByToken,
    newSession,
    createShareToken,
    redeemShareToken,
    expireShareToken,
    redeemForDestination,
    createCase,
    setCaseStatus,
    createAccount,
    addAccountRelation,
    createTransaction,
    setTransactionStatus,
    settleDue,
    /** Resolves once every event raised so far has been signed and handed to the dispatcher. */
    signed: () => signing,
  }
}
