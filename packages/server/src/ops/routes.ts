/**
 * The operator routes: the review queue, a user's record, the actions (each journaled with the
 * operator and a reason), cases, an account's relations, the merchant balance, the journal.
 * Every input is checked with zod and every refusal answers in the one envelope; a refused
 * request changes nothing.
 *
 * @module
 */
import {
  JournalPage,
  MerchantBalance,
  OperatorActionRequest,
  OperatorUserRecord,
  RelationList,
  ReviewQueuePage,
  SetCaseStatusRequest,
  opsRoutes,
  type CaseFacts,
  type OperatorAction,
} from '@shareflow/contract'
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { deriveKycStatus, KycRecord, kycKeys } from '../kyc/record'
import { ApiError, validate } from '../errors'
import type { ShareflowEnv } from '../request-context'
import { getJson, updateJson } from '../store/records'
import type { OpsCases, OpsCaseOptions } from './cases'
import type { OperatorJournal } from './journal'
import type { OperatorEnv } from './operator'
import { operatorPersona, type OperatorPersona } from './persona'
import type { ReviewQueue } from './review-queue'

export interface OpsEnv {
  Variables: ShareflowEnv['Variables'] & OperatorEnv['Variables']
}

export interface OpsRouteDeps {
  queue: ReviewQueue
  journal: OperatorJournal
  cases: OpsCases
  caseOptions: OpsCaseOptions | undefined
  applyCaseDecision(
    persona: OperatorPersona,
    found: { id: string; inquiryId: string | null; status: string; decision: string | null },
  ): Promise<void>
  reconcile(userId: string): Promise<void>
}

const Page = (valid: (cursor: string) => boolean) =>
  z.strictObject({
    cursor: z.string().max(1024).refine(valid, 'not a cursor this list gave').optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })

const UserParam = z.strictObject({ userId: z.string().min(1).max(256) })
const CaseParam = z.strictObject({ caseId: z.string().regex(/^case_[A-Za-z0-9]{1,64}$/) })
const AccountParam = z.strictObject({ accountId: z.string().regex(/^act_[A-Za-z0-9]{1,64}$/) })
const RelationQuery = z.strictObject({ key: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) })

const noSuchUser = () => new ApiError('not_found', 'No user with this id has an identity record.')
const refusedBecause = (status: number, what: string) =>
  status === 404
    ? new ApiError('not_found', `Persona has no such ${what}.`)
    : new ApiError(
        'conflict',
        `Persona refused this: the ${what} is not in a state that allows it.`,
      )

export function registerOpsRoutes(app: Hono<OpsEnv>, deps: OpsRouteDeps): void {
  const { queue, journal, cases, caseOptions } = deps
  const personaOf = (c: Context<OpsEnv>) =>
    operatorPersona(c.get('shareflow').persona, c.get('calls'))

  async function recordOf(c: Context<OpsEnv>, userId: string): Promise<KycRecord> {
    const record = await getJson(c.get('shareflow').store, kycKeys.record(userId), KycRecord)
    if (!record) throw noSuchUser()
    return record
  }

  /** The inquiry an action is about: the one the user's record follows. */
  async function inquiryOf(c: Context<OpsEnv>, userId: string): Promise<string> {
    const record = await recordOf(c, userId)
    if (!record.inquiry) {
      throw new ApiError('conflict', 'This user has no Persona inquiry to act on yet.')
    }
    return record.inquiry.id
  }

  /** Journals the action, asks Persona, and answers the user's record as it now stands. */
  const journaled = (
    c: Context<OpsEnv>,
    action: OperatorAction,
    userId: string,
    reason: string,
    targetId: string | null,
    act: () => Promise<{ ok: true } | { ok: false; status: number }>,
  ) =>
    journal.record(
      { operatorId: c.get('operator').id, action, userId, reason, targetId },
      async () => {
        const result = await act()
        return result.ok
          ? { outcome: 'done' as const, value: null }
          : { outcome: 'refused' as const, value: result.status }
      },
    )

  async function userRecord(c: Context<OpsEnv>, userId: string) {
    const record = await recordOf(c, userId)
    const { clock } = c.get('shareflow')
    return OperatorUserRecord.parse({
      userId,
      kyc: deriveKycStatus(record, clock.now()),
      inquiry: record.inquiry
        ? { id: record.inquiry.id, status: record.inquiry.status, eventAt: record.inquiry.eventAt }
        : null,
      share: record.share
        ? {
            attempt: record.share.attempt,
            step: record.share.step,
            tokenId: record.share.tokenId ?? null,
            startedAt: record.share.startedAt,
            endedAt: record.share.endedAt ?? null,
          }
        : null,
      coinflow: record.coinflow
        ? {
            status: record.coinflow.status,
            checkedAt: record.coinflow.checkedAt,
            eventAt: record.coinflow.eventAt,
          }
        : null,
      review: await queue.entryOf(userId),
      cases: await cases.forUser(userId),
      journal: await journal.forUser(userId),
    })
  }

  app.get(opsRoutes.reviewQueue, validate('query', Page(queue.validCursor)), async (c) => {
    const page = await queue.page(c.req.valid('query'))
    return c.json(ReviewQueuePage.parse(page))
  })

  app.get(opsRoutes.journal, validate('query', Page(journal.validCursor)), async (c) => {
    return c.json(JournalPage.parse(await journal.page(c.req.valid('query'))))
  })

  app.get(opsRoutes.user, validate('param', UserParam), async (c) =>
    c.json(await userRecord(c, c.req.valid('param').userId)),
  )

  app.post(
    opsRoutes.markForReview,
    validate('param', UserParam),
    validate('json', OperatorActionRequest),
    async (c) => {
      const { userId } = c.req.valid('param')
      const { reason } = c.req.valid('json')
      const inquiryId = await inquiryOf(c, userId)
      const { value: refused } = await journaled(
        c,
        'mark_for_review',
        userId,
        reason,
        inquiryId,
        () =>
          personaOf(c).inquiryAction(
            'mark-for-review',
            inquiryId,
            `ops-review:${inquiryId}:${crypto.randomUUID()}`,
          ),
      )
      if (refused !== null) throw refusedBecause(refused, 'inquiry')
      return c.json(await userRecord(c, userId))
    },
  )

  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      opsRoutes[decision],
      validate('param', UserParam),
      validate('json', OperatorActionRequest),
      async (c) => {
        const { userId } = c.req.valid('param')
        const { reason } = c.req.valid('json')
        const inquiryId = await inquiryOf(c, userId)
        const { value: refused } = await journaled(c, decision, userId, reason, inquiryId, () =>
          personaOf(c).inquiryAction(decision, inquiryId, `ops-${decision}:${inquiryId}`, reason),
        )
        if (refused !== null) throw refusedBecause(refused, 'inquiry')
        // Decided: the user leaves the queue whatever brought them there.
        await queue.remove(userId)
        return c.json(await userRecord(c, userId))
      },
    )
  }

  app.post(
    opsRoutes.recheck,
    validate('param', UserParam),
    validate('json', OperatorActionRequest),
    async (c) => {
      const { userId } = c.req.valid('param')
      const { reason } = c.req.valid('json')
      await recordOf(c, userId)
      const { store, kyc } = c.get('shareflow')
      await journaled(c, 'recheck', userId, reason, null, async () => {
        // Forgetting when the vendors were last asked makes the re-check ask them now.
        await updateJson(store, kycKeys.record(userId), KycRecord, (record) =>
          record ? { ...record, checkedAt: undefined } : undefined,
        )
        await kyc.refresh(
          { id: userId, email: '' },
          { persona: c.get('persona'), coinflow: c.get('coinflow') },
        )
        return { ok: true }
      })
      await deps.reconcile(userId)
      return c.json(await userRecord(c, userId))
    },
  )

  const casesConfigured = () => {
    if (!caseOptions) throw new ApiError('not_found', 'Cases are not set up for this platform.')
    return caseOptions
  }

  app.post(
    opsRoutes.cases,
    validate('param', UserParam),
    validate('json', OperatorActionRequest),
    async (c) => {
      const { templateId } = casesConfigured()
      const { userId } = c.req.valid('param')
      const { reason } = c.req.valid('json')
      const inquiryId = await inquiryOf(c, userId)
      let opened: CaseFacts | null = null
      const { value: refused } = await journaled(
        c,
        'create_case',
        userId,
        reason,
        inquiryId,
        async () => {
          const result = await personaOf(c).createCase(
            templateId,
            [inquiryId],
            `ops-case:${userId}:${crypto.randomUUID()}`,
          )
          if (!result.ok) return result
          const { id, status } = result.value
          await cases.opened({ id, userId, inquiryId, status })
          opened = {
            id,
            status,
            decision: null,
            updatedAt: new Date(c.get('shareflow').clock.now()).toISOString(),
          }
          return { ok: true }
        },
      )
      if (refused !== null || !opened) throw refusedBecause(refused ?? 0, 'inquiry')
      return c.json(opened, 201)
    },
  )

  app.post(
    opsRoutes.caseStatus,
    validate('param', CaseParam),
    validate('json', SetCaseStatusRequest),
    async (c) => {
      const { statuses } = casesConfigured()
      const { caseId } = c.req.valid('param')
      const { reason, status } = c.req.valid('json')
      if (!Object.hasOwn(statuses, status)) {
        throw new ApiError('invalid_request', 'That status is not one of the case template’s.', {
          fields: [{ path: 'status', message: 'Not a status of the case template.' }],
        })
      }
      const known = await cases.get(caseId)
      if (!known) throw new ApiError('not_found', 'No case with this id was opened here.')
      const decision = statuses[status] ?? null
      const persona = personaOf(c)
      const { value: refused } = await journaled(
        c,
        'set_case_status',
        known.userId,
        reason,
        caseId,
        async () => {
          const result = await persona.setCaseStatus(
            caseId,
            status,
            `ops-case-status:${caseId}:${status}`,
          )
          if (!result.ok) return result
          const news = await cases.statusSeen(caseId, status, null, decision)
          if (news) await deps.applyCaseDecision(persona, news)
          return { ok: true }
        },
      )
      if (refused === 422) {
        throw new ApiError('invalid_request', 'Persona’s case template has no such status.', {
          fields: [{ path: 'status', message: 'Not a status of the case template.' }],
        })
      }
      if (refused !== null) throw refusedBecause(refused, 'case')
      if (decision) await queue.remove(known.userId)
      const facts = (await cases.forUser(known.userId)).find((found) => found.id === caseId)
      return c.json(facts)
    },
  )

  app.get(
    opsRoutes.relations,
    validate('param', AccountParam),
    validate('query', RelationQuery),
    async (c) => {
      const { accountId } = c.req.valid('param')
      const { key } = c.req.valid('query')
      const result = await personaOf(c).relations(accountId, key)
      if (!result.ok) throw refusedBecause(result.status, 'account')
      return c.json(RelationList.parse({ accountId, key, related: result.value }))
    },
  )

  app.get(opsRoutes.merchantBalance, async (c) => {
    const balance = await c.get('coinflow').getMerchantBalance()
    return c.json(MerchantBalance.parse({ balance }))
  })
}
