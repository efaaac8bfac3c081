/**
 * Where a user stands, for `GET /session`: approved and rejected users cost no vendor call;
 * others are re-checked with the vendors when their record is older than `recheckAfterMs` (or
 * the host names an inquiry the record does not follow). A user registered with Coinflow is
 * asked about there; everyone else's inquiry is read from Persona.
 *
 * @module
 */
import type { KycStatus } from '@shareflow/contract'
import { isoAt } from '../clock'
import type { FindInquiry } from './inquiry'
import { deriveKycStatus } from './record'
import type { KycRecords } from './record-store'
import type { KycRequest, KycSettings, KycUser } from './types'

export function rechecker(
  { clock, recheckAfterMs, verificationRedirectUri }: KycSettings,
  { records, findInquiry }: { records: KycRecords; findInquiry: FindInquiry },
) {
  return async function recheck(
    user: KycUser,
    { persona, coinflow }: KycRequest,
  ): Promise<KycStatus> {
    const now = clock.now()
    const record = await records.load(user.id)
    const status = deriveKycStatus(record, now)
    if (status.state === 'approved' || status.state === 'rejected') return status
    if (status.state === 'sharing' && status.nextAction === 'wait') return status
    const hostMovedOn =
      user.personaInquiryId !== undefined && user.personaInquiryId !== record.inquiry?.id
    const fresh = record.checkedAt && now - Date.parse(record.checkedAt) < recheckAfterMs
    if (fresh && !hostMovedOn) return status

    // Registered with Coinflow (or about to be): Coinflow knows best.
    if (record.coinflow || record.share?.step === 'done' || !record.checkedAt) {
      const askedAt = isoAt(clock.now())
      const lookup = await coinflow.getWithdrawer(user.id, {
        redirectLink: verificationRedirectUri,
      })
      if (lookup.kind !== 'not_registered' || record.coinflow) {
        const observed = await records.observeWithdrawer(user.id, lookup, askedAt)
        if (lookup.kind !== 'not_registered') return observed
      }
    }
    const inquiry = await findInquiry(user, record, persona)
    if (!inquiry) {
      return (await records.update(user.id, (r) => ({ ...r, checkedAt: isoAt(clock.now()) })))
        .status
    }
    return (await records.observeInquiry(user.id, inquiry)).status
  }
}
