/**
 * The user's Persona inquiry: finding the one their journey follows, and `POST /kyc/inquiry`,
 * which resumes the user's open inquiry or starts a new one and answers with a one-time link.
 *
 * @module
 */
import type { InquiryLink } from '@shareflow/contract'
import { isoAt } from '../clock'
import { derivedKey } from '../digest'
import { ApiError } from '../errors'
import { isReplayedServerError } from '../upstream/failures'
import type { PersonaApi, PersonaInquiry } from '../upstream/persona'
import { deriveKycStatus, inquiryIs, kycKeys, type KycRecord } from './record'
import { isHttpUrl, type KycRecords } from './record-store'
import type { KycRequest, KycSettings, KycUser } from './types'

const messages = {
  alreadyVerified: 'You are already verified.',
  notAllowed: 'Your identity could not be verified, so a new check cannot be started here.',
  noLink: 'Identity verification is not available right now. Please try again shortly.',
} as const

const newest = (inquiries: PersonaInquiry[]) =>
  [...inquiries].sort((a, b) => Date.parse(b.createdAt ?? '0') - Date.parse(a.createdAt ?? '0'))[0]

/** The user's inquiry: the host's id, the one we follow, or the newest by reference id. */
export type FindInquiry = (
  user: KycUser,
  record: KycRecord,
  persona: PersonaApi,
) => Promise<PersonaInquiry | null>

export function inquiryFinder({ logger }: Pick<KycSettings, 'logger'>): FindInquiry {
  return async function findInquiry(user, record, persona) {
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
}

export interface InquiryStarterParts {
  records: KycRecords
  findInquiry: FindInquiry
  /** The user's re-check in Persona's queue, if one is in line (`work-queue.ts`). */
  recheckInLine(userId: string): Promise<unknown> | undefined
}

/** `POST /kyc/inquiry`: resume the user's open inquiry or start a new one. */
export function inquiryStarter(
  {
    clock,
    logger,
    personaTemplateId,
    recheckAfterMs,
    maxResumeAgeMs,
    inquiryRedirectUri,
  }: KycSettings,
  { records, findInquiry, recheckInLine }: InquiryStarterParts,
) {
  return async function startInquiry(user: KycUser, { persona }: KycRequest): Promise<InquiryLink> {
    // A re-check of this user kept in Persona's queue is already asking what this asks first:
    // wait for its answer rather than queue the same question again.
    await recheckInLine(user.id)?.catch(() => undefined)
    const record = await records.load(user.id)
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
    if (inquiry) await records.observeInquiry(user.id, inquiry)
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
        if (link.ok && isHttpUrl(link.oneTimeLink)) {
          const { status: kyc } = await records.observeInquiry(user.id, resumed.inquiry)
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
    const created = await persona
      .createInquiry({
        templateId: personaTemplateId,
        referenceId: user.id,
        idempotencyKey: await derivedKey(
          'inquiry',
          user.id,
          inquiry?.id ?? 'none',
          String(record.inquiriesCreated),
          // Absent until a key is spent, so the keys of journeys under way stay as they were.
          ...(record.inquiryKeysSpent ? [String(record.inquiryKeysSpent)] : []),
        ),
        redirectUri: inquiryRedirectUri,
      })
      .catch(async (error: unknown) => {
        if (isReplayedServerError(error)) {
          await records.update(user.id, (r) => ({
            ...r,
            inquiryKeysSpent: (r.inquiryKeysSpent ?? 0) + 1,
          }))
        }
        throw error
      })
    if (!isHttpUrl(created.oneTimeLink)) {
      throw new ApiError('upstream_unavailable', messages.noLink, {
        cause: new Error('persona createInquiry returned no one-time link'),
      })
    }
    await records.index(kycKeys.byInquiry(created.inquiry.id), user.id)
    const { status: kyc } = await records.update(user.id, (r) => ({
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
      inquiryKeysSpent: undefined,
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
}
