/**
 * The user's `KycRecord` in the store: every change goes through one compare-and-set `update`,
 * and every change the user would see is pushed to their event stream as `kyc.updated`. Also what
 * the vendors' answers (an inquiry read, a withdrawer lookup) mean for the record, and the index
 * that finds a webhook's user from an inquiry or share-token id.
 *
 * @module
 */
import type { KycStatus } from '@shareflow/contract'
import { isoAt } from '../clock'
import { getJson, updateJson } from '../store/records'
import type { WithdrawerLookup } from '../upstream/coinflow'
import type { PersonaInquiry } from '../upstream/persona'
import {
  deriveKycStatus,
  emptyKycRecord,
  KycRecord,
  kycKeys,
  statusChanged,
  type CoinflowFacts,
  type ShareJournal,
} from './record'
import type { KycSettings } from './types'

/** An http(s) URL, as a link the browser may be sent to must be. */
export const isHttpUrl = (value: string | null | undefined): value is string => {
  if (!value) return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** Coinflow's word on a withdrawer lookup, as record facts (`undefined`: not registered). */
function coinflowFactsOf(lookup: WithdrawerLookup, checkedAt: string): CoinflowFacts | undefined {
  switch (lookup.kind) {
    case 'not_registered':
      return undefined
    case 'registered': {
      const { status, shareTokenStatus } = lookup.withdrawer.verification
      const expired = status !== 'approved' && shareTokenStatus === 'expired'
      return { status: expired ? 'expired' : status, checkedAt, eventAt: null }
    }
    case 'verification_required': {
      const { status, shareTokenStatus } = lookup.verification
      if (status === 'rejected' || status === 'expired') return { status, checkedAt, eventAt: null }
      if (shareTokenStatus === 'expired') return { status: 'expired', checkedAt, eventAt: null }
      if (isHttpUrl(lookup.verificationLink)) {
        return {
          status: 'needs_more_info',
          verificationLink: lookup.verificationLink,
          checkedAt,
          eventAt: null,
        }
      }
      return { status, checkedAt, eventAt: null }
    }
  }
}

export type KycRecords = ReturnType<typeof createKycRecords>

/** The record operations every KYC journey shares. */
export function createKycRecords({
  store,
  clock,
  publish,
}: Pick<KycSettings, 'store' | 'clock' | 'publish'>) {
  const load = async (userId: string) =>
    (await getJson(store, kycKeys.record(userId), KycRecord)) ?? emptyKycRecord(clock.now())

  /**
   * Applies `change` to the user's record (compare-and-set; `change` may run more than once and
   * must be pure), then pushes `kyc.updated` when the user-visible status changed.
   */
  async function update(
    userId: string,
    change: (record: KycRecord) => KycRecord | undefined,
  ): Promise<{ record: KycRecord; status: KycStatus }> {
    let before: KycStatus | null = null
    let after: KycStatus | null = null
    const saved = await updateJson(store, kycKeys.record(userId), KycRecord, (current) => {
      const now = clock.now()
      const base = current ?? emptyKycRecord(now)
      before = current ? deriveKycStatus(current, now) : null
      const next = change(structuredClone(base))
      if (next === undefined) {
        after = before
        return undefined
      }
      const candidate = deriveKycStatus(next, now)
      const visible = before === null || statusChanged(before, candidate)
      const record = visible ? { ...next, updatedAt: isoAt(now) } : next
      after = deriveKycStatus(record, now)
      return record
    })
    const record = saved ?? emptyKycRecord(clock.now())
    const status = after ?? deriveKycStatus(record, clock.now())
    if (before === null ? saved !== null : statusChanged(before, status)) {
      await publish(userId, { type: 'kyc.updated', kyc: status })
    }
    return { record, status }
  }

  /** Remembers which user an inquiry or share token belongs to, for webhooks. First owner wins. */
  async function index(key: string, userId: string): Promise<void> {
    await store.setIfAbsent(key, userId, { ttlMs: 400 * 86_400_000 })
  }

  /** Records an inquiry read from Persona's API (the truth at read time). */
  async function observeInquiry(userId: string, inquiry: PersonaInquiry) {
    await index(kycKeys.byInquiry(inquiry.id), userId)
    return update(userId, (record) => {
      const known = record.inquiry
      // An older inquiry never replaces a newer one the record already follows.
      if (
        known &&
        known.id !== inquiry.id &&
        Date.parse(known.createdAt ?? '0') > Date.parse(inquiry.createdAt ?? '0')
      ) {
        return { ...record, checkedAt: isoAt(clock.now()) }
      }
      // A webhook newer than this read (by Persona's clock) already told us more.
      const newerEvent =
        known?.id === inquiry.id &&
        known.eventAt !== null &&
        inquiry.updatedAt !== null &&
        known.eventAt > inquiry.updatedAt
      const eventAt = [known?.id === inquiry.id ? known.eventAt : null, inquiry.updatedAt]
        .filter((v): v is string => Boolean(v))
        .sort()
        .at(-1)
      return {
        ...record,
        inquiry: {
          id: inquiry.id,
          status: newerEvent ? known.status : inquiry.status,
          createdAt: inquiry.createdAt,
          eventAt: eventAt ?? null,
        },
        checkedAt: isoAt(clock.now()),
      }
    })
  }

  /**
   * Records a Coinflow lookup. `askedAt` is when the request went out: a webhook received after
   * that is newer news than the lookup's answer and is kept.
   */
  async function observeWithdrawer(
    userId: string,
    lookup: WithdrawerLookup,
    askedAt: string = isoAt(clock.now()),
  ) {
    const checkedAt = isoAt(clock.now())
    return (
      await update(userId, (record) => {
        if (record.coinflow && record.coinflow.checkedAt > askedAt) {
          return record.share?.step === 'done' || !record.share
            ? { ...record, checkedAt }
            : { ...record, share: { ...record.share, step: 'done', endedAt: checkedAt }, checkedAt }
        }
        const coinflow = coinflowFactsOf(lookup, checkedAt)
        if (!coinflow) {
          // Coinflow has no withdrawer: whatever we believed about one is void, and a finished
          // share must be made again (an unfinished one is the journal's business).
          const unfinished = record.share && record.share.step !== 'done'
          return {
            ...record,
            coinflow: undefined,
            share: unfinished ? record.share : undefined,
            checkedAt,
          }
        }
        // An approval confirmed again changes nothing anyone reads: approved users are never
        // re-checked by age, so the write (one per verified user's `/session`) is skipped, and
        // the newest webhook's `eventAt` is kept.
        if (
          coinflow.status === 'approved' &&
          record.coinflow?.status === 'approved' &&
          (!record.share || (record.share.step === 'done' && record.share.endedAt))
        ) {
          return undefined
        }
        const share: ShareJournal | undefined =
          record.share && record.share.step !== 'failed'
            ? { ...record.share, step: 'done', endedAt: record.share.endedAt ?? checkedAt }
            : record.share
        return { ...record, coinflow, share, checkedAt }
      })
    ).status
  }

  async function userFor(key: string): Promise<string | null> {
    return store.get(key)
  }

  return {
    load,
    /** The status from the store alone: no vendor calls. */
    current: async (userId: string) => deriveKycStatus(await load(userId), clock.now()),
    update,
    index,
    userFor,
    observeInquiry,
    observeWithdrawer,
  }
}
