/**
 * Applying both vendors' identity webhooks (verified and de-duplicated by `routes/webhooks.ts`) to
 * the user's record: Persona's `inquiry.*` and `connect/share-token.*`, Coinflow's `KYC *`. A
 * delivery older than what the record already knows, or about an inquiry the record does not
 * follow, changes nothing.
 *
 * @module
 */
import { isoAt } from '../clock'
import { kycKeys } from './record'
import type { KycRecords } from './record-store'
import type { CoinflowKycEvent, KycSettings, PersonaEvent } from './types'

export function webhookAppliers(
  { clock, merchantId }: KycSettings,
  { records }: { records: KycRecords },
) {
  return {
    async applyPersonaEvent(event: PersonaEvent): Promise<'applied' | 'ignored'> {
      const { resource } = event
      if (resource.type === 'inquiry') {
        const attributes = resource.attributes
        const referenceId =
          typeof attributes['reference-id'] === 'string' ? attributes['reference-id'] : null
        const userId = (await records.userFor(kycKeys.byInquiry(resource.id))) ?? referenceId
        const status = typeof attributes.status === 'string' ? attributes.status : null
        if (!userId || !status) return 'ignored'
        const createdAt =
          typeof attributes['created-at'] === 'string' ? attributes['created-at'] : null
        let applied = false
        await records.update(userId, (record) => {
          const known = record.inquiry
          if (known && known.id !== resource.id) {
            // News of an older inquiry than the one being followed changes nothing.
            if (Date.parse(known.createdAt ?? '0') > Date.parse(createdAt ?? '0')) return undefined
          }
          const sameInquiry = known?.id === resource.id
          // Out-of-order delivery: an event older than what we already know is history.
          if (sameInquiry && known.eventAt && event.createdAt && event.createdAt < known.eventAt) {
            return undefined
          }
          applied = true
          return {
            ...record,
            inquiry: {
              id: resource.id,
              status,
              createdAt: createdAt ?? known?.createdAt ?? null,
              eventAt: event.createdAt ?? known?.eventAt ?? null,
            },
          }
        })
        await records.index(kycKeys.byInquiry(resource.id), userId)
        return applied ? 'applied' : 'ignored'
      }
      if (resource.type === 'connect/share-token') {
        const userId = await records.userFor(kycKeys.byShareToken(resource.id))
        const status = resource.attributes.status
        if (!userId || (status !== 'expired' && status !== 'failed')) return 'ignored'
        let applied = false
        await records.update(userId, (record) => {
          // Only the token of the current share matters, and only before Coinflow approved.
          if (record.share?.tokenId !== resource.id || record.coinflow?.status === 'approved') {
            return undefined
          }
          applied = true
          const at = isoAt(clock.now())
          return {
            ...record,
            share: { ...record.share, step: 'done', endedAt: record.share.endedAt ?? at },
            coinflow: { status: 'expired', checkedAt: at, eventAt: event.createdAt },
          }
        })
        return applied ? 'applied' : 'ignored'
      }
      return 'ignored'
    },

    async applyCoinflowKycEvent(event: CoinflowKycEvent): Promise<'applied' | 'ignored'> {
      const wallet = typeof event.data.wallet === 'string' ? event.data.wallet : ''
      const prefix = `${merchantId}ʬ`
      const userId =
        typeof event.data.userId === 'string'
          ? event.data.userId
          : wallet.startsWith(prefix)
            ? wallet.slice(prefix.length)
            : null
      const status =
        event.eventType === 'KYC Success'
          ? 'approved'
          : event.eventType === 'KYC Failure'
            ? 'rejected'
            : null
      if (!userId || !status) return 'ignored'
      let applied = false
      await records.update(userId, (record) => {
        const known = record.coinflow
        if (known?.eventAt && event.created && event.created < known.eventAt) return undefined
        // A KYC webhook for someone who never shared through this BFF is not ours to act on.
        if (!record.share && !known) return undefined
        applied = true
        const at = isoAt(clock.now())
        return {
          ...record,
          share: record.share
            ? { ...record.share, step: 'done', endedAt: record.share.endedAt ?? at }
            : undefined,
          coinflow: { status, checkedAt: at, eventAt: event.created },
        }
      })
      return applied ? 'applied' : 'ignored'
    },
  }
}
