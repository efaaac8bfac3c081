/**
 * The operator side of Shareflow: a Hono app the host mounts on its staff-only prefix, over the
 * same services (store, vendor clients, KYC records) as the payee BFF it is made from.
 *
 * Who may use it comes from the host (`getOperator(c)`), never from the browser; it sends no
 * CORS headers for anyone (staff pages are served by the host, same-site); every action is
 * journaled with the operator's id and a required reason before its Persona call. It follows
 * every Persona event the BFF receives: cases (a case's status, mapped to a decision, moves the
 * user's inquiry on), the review queue (users whose check needs a human), and the host's hooks.
 *
 * @example
 * const bff = createShareflowApp({ getUser, persona, coinflow, store })
 * const ops = createShareflowOps(bff, {
 *   getOperator: (c) => staffSession(c), // the host's staff auth; null for everyone else
 *   cases: { templateId: 'ctmpl_…', statuses: { Open: null, Approved: 'approve', Declined: 'decline' } },
 *   hooks: { onReviewRequired: (entry) => pageTheTeam(entry) },
 * })
 * hostApp.route('/api/shareflow', bff)
 * hostApp.route('/staff/shareflow', ops)
 *
 * @module
 */
import type { KycStatus, ReviewEntry } from '@shareflow/contract'
import { Hono } from 'hono'
import type { ShareflowApp } from '../app'
import { createErrorHandler, notFound } from '../errors'
import type { PersonaEvent } from '../kyc'
import { KycRecord, kycKeys } from '../kyc/record'
import { requestContext, shareflowRequestId } from '../request-context'
import { apiSecurityHeaders, limitBodies, requestTimeout, sameSiteWrites } from '../security'
import { getJson } from '../store/records'
import { createOpsCases, type OpsCaseOptions } from './cases'
import { createOperatorJournal } from './journal'
import { operatorsOnly, type GetOperator } from './operator'
import { opsOpenApiDocument } from './openapi'
import { operatorPersona } from './persona'
import { createReviewQueue } from './review-queue'
import { registerOpsRoutes, type OpsEnv } from './routes'

export type { GetOperator, ShareflowOperator } from './operator'
export type { CaseDecision, OpsCaseOptions } from './cases'

export interface OpsHooks {
  /** Every verified, de-duplicated Persona event, by the spec's name, once it was applied. */
  onPersonaEvent?(event: PersonaEvent): void | Promise<void>
  /** A user's KYC status changed in a way they would see. */
  onKycChanged?(userId: string, kyc: KycStatus): void | Promise<void>
  /** A user entered the review queue. */
  onReviewRequired?(entry: ReviewEntry): void | Promise<void>
}

export interface ShareflowOpsOptions {
  getOperator: GetOperator
  /** Persona cases; without it the case routes answer `not_found`. */
  cases?: OpsCaseOptions
  hooks?: OpsHooks
  /** Origins besides the ops app's own whose pages may make writes. */
  trustedOrigins?: readonly string[]
  requestTimeoutMs?: number
}

export type ShareflowOpsApp = Hono<OpsEnv> & {
  /**
   * The host's own fraud signal: puts the user in the review queue (`host_flag`) until an
   * operator decides. `true` when they were not waiting already.
   */
  flagForReview(userId: string): Promise<boolean>
}

export function createShareflowOps(
  bff: ShareflowApp,
  options: ShareflowOpsOptions,
): ShareflowOpsApp {
  const services = bff.shareflow
  const { store, clock } = services
  const hooks = options.hooks ?? {}
  const queue = createReviewQueue({ store, clock })
  const journal = createOperatorJournal({ store, clock })
  const cases = createOpsCases({ store, clock })
  const background = operatorPersona(services.persona)

  const entered = async (userId: string, reason: ReviewEntry['reason']) => {
    if (!(await queue.add(userId, reason))) return false
    const entry = await queue.entryOf(userId)
    if (entry) await hooks.onReviewRequired?.(entry)
    return true
  }

  /** Where the user stands in the queue after their record changed. */
  async function reconcile(userId: string) {
    const record = await getJson(store, kycKeys.record(userId), KycRecord)
    const waitingOnPersona = record?.inquiry?.status === 'needs_review'
    const refusedByCoinflow = record?.coinflow?.status === 'rejected'
    if (waitingOnPersona) return void (await entered(userId, 'persona_review'))
    if (refusedByCoinflow) return void (await entered(userId, 'coinflow_refused'))
    const entry = await queue.entryOf(userId)
    // The vendors moved on; a host's flag waits for an operator's decision.
    if (entry && entry.reason !== 'host_flag') await queue.remove(userId)
  }

  /** Applies the decision a case status maps to, to the case's inquiry, once per status. */
  async function applyCaseDecision(
    persona: typeof background,
    found: { id: string; inquiryId: string | null; status: string; decision: string | null },
  ) {
    if (!found.inquiryId || (found.decision !== 'approve' && found.decision !== 'decline')) return
    // Persona refuses (409) when the inquiry is already decided; the key makes retries one call.
    await persona.inquiryAction(
      found.decision,
      found.inquiryId,
      `ops-case:${found.id}:${found.status}`,
    )
  }

  async function followPersonaEvent(event: PersonaEvent) {
    const { resource } = event
    if (resource.type === 'case' && typeof resource.attributes.status === 'string') {
      const status = resource.attributes.status
      if (!(await cases.get(resource.id))) {
        // A case opened in Persona's dashboard: followed when it is about a user the BFF knows.
        const inquiries = (resource.relationships?.inquiries as { data?: { id: string }[] })?.data
        const inquiryId = inquiries?.[0]?.id ?? null
        const userId = inquiryId ? await store.get(kycKeys.byInquiry(inquiryId)) : null
        if (userId) await cases.opened({ id: resource.id, userId, inquiryId, status: 'Open' })
      }
      const decision = options.cases?.statuses[status] ?? null
      const news = await cases.statusSeen(resource.id, status, event.createdAt, decision)
      if (news) await applyCaseDecision(background, news)
    }
    await hooks.onPersonaEvent?.(event)
  }

  services.onKycChanged.add(async (userId, kyc) => {
    await reconcile(userId)
    await hooks.onKycChanged?.(userId, kyc)
  })
  services.webhooks.onPersonaEvent.add(followPersonaEvent)

  const app = new Hono<OpsEnv>()
  app.use(shareflowRequestId())
  app.use(apiSecurityHeaders())
  // Deliberately no CORS: no browser page of another origin may read an operator route.
  app.use(requestContext(services))
  app.use(requestTimeout(options.requestTimeoutMs))
  app.use(limitBodies(services.settings.maxBodyBytes))
  app.use(sameSiteWrites(options.trustedOrigins ?? []))
  app.use(operatorsOnly(options.getOperator))
  registerOpsRoutes(app, {
    queue,
    journal,
    cases,
    caseOptions: options.cases,
    applyCaseDecision,
    reconcile,
  })
  let document: Record<string, unknown> | undefined
  app.get('/openapi.json', (c) => {
    const mount = c.req.path.slice(0, -'/openapi.json'.length) || '/'
    document ??= opsOpenApiDocument()
    return c.json({ ...document, servers: [{ url: mount }] })
  })
  app.all('*', notFound)
  app.onError(createErrorHandler(services.logger))
  app.notFound(notFound)
  return Object.assign(app, {
    flagForReview: (userId: string) => entered(userId, 'host_flag'),
  })
}
