/**
 * @module
 * The business payee journey (KYB): submit the details → one Persona account per owner → one
 * Persona transaction of the configured type → the owners related to it → the workflow's
 * decision (by webhook, `GET /transactions/{id}` only as a fallback) → on approval, one Coinflow
 * business registration (`POST /withdraw/kyb`, 409 and 451 handled). Each step is journaled in
 * the business's record before its vendor call and every Persona write carries an
 * Idempotency-Key derived from the submission, so a retry, a double submit, a crash or a
 * restart makes one transaction and one registration.
 */
import type { BusinessDetails, BusinessStatus } from '@shareflow/contract'
import { isoAt, type Clock } from '../clock'
import { ApiError } from '../errors'
import type { Logger } from '../logger'
import type { ShareflowStore } from '../store/types'
import type { CoinflowApi } from '../upstream/coinflow'
import type { PersonaTransactionsApi } from '../upstream/persona'
import { businessStatus, kybKeys, type BusinessRecord } from './record'
import { businessRegistration, ownerAccountAttributes, transactionFields } from './vendor-shapes'

export interface KybServiceOptions {
  store: ShareflowStore
  clock: Clock
  logger: Logger
  persona: PersonaTransactionsApi
  coinflow: Pick<CoinflowApi, 'registerBusiness' | 'getWithdrawer'>
  merchantId: string
  /** The Persona transaction type (`txntp_…`) whose workflow runs the KYB checks. */
  transactionTypeId: string
  /** A check running longer than this ends `stalled`. Default 30 minutes. */
  stallAfterMs?: number
  /** Persona or Coinflow is asked again at most this often when a webhook is late. Default 30 s. */
  pollEveryMs?: number
  /** Called once when Persona's workflow sends the business to manual review. */
  onReview?: (review: { businessId: string; userId: string; transactionId: string }) => unknown
}

export type KybService = ReturnType<typeof createKybService>

/** The relation key the owners' accounts carry to the transaction (the host's account type). */
export const OWNER_RELATION_KEY = 'beneficial_owner'

export function createKybService(options: KybServiceOptions) {
  const { store, clock, logger, persona, coinflow, merchantId, transactionTypeId } = options
  const stallAfterMs = options.stallAfterMs ?? 30 * 60_000
  const pollEveryMs = options.pollEveryMs ?? 30_000
  const now = () => clock.now()

  async function read(businessId: string): Promise<{ raw: string; record: BusinessRecord } | null> {
    const raw = await store.get(kybKeys.business(businessId))
    return raw === null ? null : { raw, record: JSON.parse(raw) as BusinessRecord }
  }

  /** Applies `change` atomically; `undefined` from it leaves the record as it is. */
  async function update(
    businessId: string,
    change: (record: BusinessRecord) => BusinessRecord | undefined,
  ): Promise<BusinessRecord | null> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await read(businessId)
      if (!current) return null
      const next = change(current.record)
      if (!next) return current.record
      const written = await store.compareAndSet(
        kybKeys.business(businessId),
        current.raw,
        JSON.stringify(next),
      )
      if (written) return next
    }
    throw new Error('The business record kept changing underneath an update')
  }

  const status = (record: BusinessRecord | null): BusinessStatus =>
    businessStatus(record, { now: now(), stallAfterMs })

  /** The record of `businessId` if it is `userId`'s; another user's business is `forbidden`. */
  async function owned(userId: string, businessId: string): Promise<BusinessRecord | null> {
    const found = await read(businessId)
    if (found && found.record.userId !== userId) {
      throw new ApiError('forbidden', 'This business belongs to another account.')
    }
    return found?.record ?? null
  }

  /** Every step not yet done, in order; each journaled before its vendor call. */
  async function advance(businessId: string): Promise<BusinessRecord | null> {
    let record = (await read(businessId))?.record ?? null
    if (!record?.details) return record
    const details = record.details
    const key = (step: string) => `kyb:${businessId}:${record!.submission}:${step}`

    for (const [index, owner] of details.beneficialOwners.entries()) {
      if (record.ownerAccounts[index]) continue
      const accountId = await persona.createAccount({
        referenceId: `${businessId}:owner:${index + 1}`,
        attributes: ownerAccountAttributes(owner),
        idempotencyKey: key(`owner-${index + 1}`),
      })
      record =
        (await update(businessId, (current) => {
          const ownerAccounts = [...current.ownerAccounts]
          ownerAccounts[index] = accountId
          return { ...current, ownerAccounts }
        })) ?? record
    }

    if (!record.transaction) {
      const created = await persona.createTransaction({
        transactionTypeId,
        referenceId: businessId,
        fields: transactionFields(details),
        idempotencyKey: key('transaction'),
      })
      record =
        (await update(businessId, (current) =>
          current.transaction
            ? undefined
            : { ...current, transaction: { ...created, eventAt: null }, checkedAt: isoAt(now()) },
        )) ?? record
    }
    const transactionId = record.transaction!.id

    for (let index = record.ownersRelated; index < record.ownerAccounts.length; index++) {
      await persona.addAccountRelation({
        accountId: record.ownerAccounts[index]!,
        relationKey: OWNER_RELATION_KEY,
        targetId: transactionId,
        idempotencyKey: key(`relate-${index + 1}`),
      })
      record =
        (await update(businessId, (current) => ({
          ...current,
          ownersRelated: Math.max(current.ownersRelated, index + 1),
        }))) ?? record
    }

    if (record.transaction?.status !== 'approved') return record
    return register(record)
  }

  /** Registers an approved business with Coinflow, once, whatever happened before. */
  async function register(record: BusinessRecord): Promise<BusinessRecord> {
    const { businessId } = record
    if (record.coinflow?.step === 'done' || !record.details) return record
    const details = record.details
    if (record.coinflow?.step === 'registering') {
      // An earlier attempt may have registered it and died before writing the answer down.
      const known = await coinflow.getWithdrawer(businessId)
      if (known.kind !== 'not_registered') return settle(record, known)
    } else {
      record =
        (await update(businessId, (current) =>
          current.coinflow
            ? undefined
            : {
                ...current,
                coinflow: {
                  step: 'registering',
                  outcome: null,
                  verificationLink: null,
                  at: isoAt(now()),
                },
              },
        )) ?? record
    }
    const answer = await coinflow.registerBusiness({
      userId: businessId,
      body: businessRegistration(details, merchantId),
    })
    if (answer.kind === 'already_registered') {
      return settle(record, await coinflow.getWithdrawer(businessId))
    }
    if (answer.kind === 'client_error') {
      // Coinflow refused the body itself; sending it again changes nothing.
      logger.error('coinflow refused the business registration', {
        businessId,
        status: answer.status,
      })
      return settle(record, { kind: 'rejected' })
    }
    return settle(
      record,
      answer.kind === 'registered'
        ? { kind: 'registered', withdrawer: { verification: answer.verification } }
        : { ...answer, rejectionReasons: answer.rejectionReasons ?? [] },
    )
  }

  type Known =
    | { kind: 'registered'; withdrawer: { verification: { status: string } } }
    | {
        kind: 'verification_required'
        verification: { status: string } | null
        verificationLink: string | null
        rejectionReasons: string[]
      }
    | { kind: 'not_registered' }
    | { kind: 'rejected' }

  async function settle(record: BusinessRecord, known: Known): Promise<BusinessRecord> {
    const outcome: NonNullable<BusinessRecord['coinflow']>['outcome'] =
      known.kind === 'registered'
        ? known.withdrawer.verification.status === 'approved'
          ? 'approved'
          : 'pending'
        : known.kind === 'rejected' ||
            (known.kind === 'verification_required' && known.verification?.status === 'rejected')
          ? 'rejected'
          : known.kind === 'verification_required'
            ? 'needs_more_info'
            : null
    if (outcome === null) return record
    const link = known.kind === 'verification_required' ? known.verificationLink : null
    return (
      (await update(record.businessId, (current) => ({
        ...current,
        coinflow: { step: 'done', outcome, verificationLink: link, at: isoAt(now()) },
        // Coinflow has what it needs: the tax number and the owners' identities go.
        details: outcome === 'needs_more_info' || outcome === 'pending' ? current.details : null,
      }))) ?? record
    )
  }

  /** Applies a transaction's new status, from a webhook or a poll; `true` when it changed. */
  async function applyTransactionStatus(
    businessId: string,
    transaction: { id: string; status: string },
    eventAt: string | null,
  ): Promise<boolean> {
    let changed = false
    const record = await update(businessId, (current) => {
      if (current.transaction?.id !== transaction.id) return undefined
      const known = current.transaction
      if (known.eventAt && eventAt && eventAt < known.eventAt) return undefined
      if (known.status === transaction.status) return undefined
      changed = true
      return {
        ...current,
        transaction: { ...known, status: transaction.status, eventAt: eventAt ?? known.eventAt },
      }
    })
    if (!record || !changed) return false
    if (/^needs[ _]review$/.test(transaction.status)) {
      await options.onReview?.({ businessId, userId: record.userId, transactionId: transaction.id })
    }
    if (transaction.status === 'approved') await register(record)
    return true
  }

  return {
    /** `GET /business`: the state, asking Persona or Coinflow again when a webhook is late. */
    async current(userId: string, businessId: string): Promise<BusinessStatus> {
      let record = await owned(userId, businessId)
      if (!record) return status(null)
      const state = status(record).state
      const due = !record.checkedAt || now() - Date.parse(record.checkedAt) >= pollEveryMs
      if (due && (state === 'checking' || state === 'needs_more_info' || state === 'stalled')) {
        record =
          (await update(businessId, (current) => ({ ...current, checkedAt: isoAt(now()) }))) ??
          record
        if (!record.transaction || record.ownersRelated < record.ownerAccounts.length) {
          record = (await advance(businessId)) ?? record
        } else if (record.transaction.status !== 'approved') {
          const fresh = await persona.getTransaction(record.transaction.id)
          if (fresh) await applyTransactionStatus(businessId, fresh, null)
          record = (await read(businessId))?.record ?? record
        } else if (record.coinflow?.step !== 'done' || record.coinflow.outcome !== 'approved') {
          if (record.coinflow?.step === 'done') {
            record = await settle(record, await coinflow.getWithdrawer(businessId))
          } else record = await register(record)
        }
      }
      return status(record)
    },

    /**
     * `PUT /business`: the first submission starts the journey; a second while one exists
     * (a double click, a retry) makes nothing new and answers the state.
     */
    async submit(userId: string, businessId: string, details: BusinessDetails) {
      const existing = await owned(userId, businessId)
      if (!existing) {
        const record: BusinessRecord = {
          businessId,
          userId,
          legalName: details.legalName,
          submission: crypto.randomUUID(),
          submittedAt: isoAt(now()),
          details,
          ownerAccounts: details.beneficialOwners.map(() => null),
          ownersRelated: 0,
          transaction: null,
          checkedAt: null,
          coinflow: null,
        }
        const created = await store.setIfAbsent(
          kybKeys.business(businessId),
          JSON.stringify(record),
        )
        if (!created) await owned(userId, businessId)
      }
      return status(await advance(businessId))
    },

    /** A Persona `transaction.*` webhook (verified, de-duplicated). */
    async applyTransactionEvent(event: {
      createdAt: string | null
      resource: { id: string; attributes: Record<string, unknown> }
    }): Promise<'applied' | 'ignored'> {
      const referenceId = event.resource.attributes['reference-id']
      const transactionStatus = event.resource.attributes.status
      if (typeof referenceId !== 'string' || typeof transactionStatus !== 'string') return 'ignored'
      const applied = await applyTransactionStatus(
        referenceId,
        { id: event.resource.id, status: transactionStatus },
        event.createdAt,
      )
      return applied ? 'applied' : 'ignored'
    },

    /** Resumes every journey a crash or restart left between steps. */
    async resumeAll(): Promise<void> {
      for (const key of await store.keys(kybKeys.business(''))) {
        const businessId = key.slice(kybKeys.business('').length)
        try {
          await advance(businessId)
        } catch (error) {
          logger.warn('kyb journey could not resume yet', { businessId, error })
        }
      }
    },
  }
}
