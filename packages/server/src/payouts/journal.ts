/**
 * The payout journal: one record per payout in the store, changed only by compare-and-set, so
 * two instances (or a request and a webhook) can never both move a payout from the same state.
 * Every step is written here before the next one starts; after a crash the journal alone says
 * what to do next (see `service.ts`).
 *
 * Keys (all under `payout`):
 * - `payout:{id}`                       the record
 * - `payout-open:{id}`                  the record as first written, until its story is finished
 *                                       (terminal and the host told); recovery scans these
 * - `payout-idempotency:{user}:{key}`   which payout a user's Idempotency-Key created
 * - `payout-by-user:{user}:{rank}:{id}` history index, newest first in key order
 * - `payout-by-signature:{signature}`   Coinflow's transaction signature → payout id
 * - `payout-orphan-event:{signature}`   a Withdraw webhook that arrived before we knew its payout
 *
 * Web Standards only.
 *
 * @module
 */
import { Destination, Money, PayoutState, PositiveMoney, Speed } from '@shareflow/contract'
import { z } from 'zod'
import { getJson, putJson, putJsonIfAbsent, updateJson } from '../store/records'
import type { ShareflowStore } from '../store/types'

/** Why a payout ended without paying; `reason` is the sentence the user sees. */
export const PayoutFailureCode = z.enum([
  /** The host's `authorizePayout` refused (state `refused`). */
  'host_refused',
  /** Coinflow answered 451: the user must finish verification at `verificationLink`. */
  'verification_required',
  /** Coinflow answered 402: the merchant wallet can't fund payouts right now. */
  'payouts_unavailable',
  /** Coinflow refused the request outright (another 4xx). */
  'rejected',
  /** Coinflow accepted the payout, then reported it failed (webhook or lookup). */
  'withdraw_failed',
])
export type PayoutFailureCode = z.infer<typeof PayoutFailureCode>

export const PayoutFailure = z.strictObject({
  code: PayoutFailureCode,
  reason: z.string(),
  verificationLink: z.url().optional(),
})
export type PayoutFailure = z.infer<typeof PayoutFailure>

export const PayoutDestination = Destination.pick({
  id: true,
  type: true,
  last4: true,
  label: true,
})
export type PayoutDestination = z.infer<typeof PayoutDestination>

const epochMs = z.int().min(0)

/** One payout as journaled. Checked on every read and write, so a bad write never lands. */
export const PayoutRecord = z.strictObject({
  id: z.string(),
  userId: z.string(),
  /** The client's `Idempotency-Key` (scoped to `userId`). */
  idempotencyKey: z.string(),
  /** Digest of the request body; a reused key with another body is refused. */
  requestHash: z.string(),
  /** Sent to Coinflow on every submit of this payout; derived once from `id`, never regenerated. */
  coinflowIdempotencyKey: z.string(),
  state: PayoutState,
  amount: PositiveMoney,
  /** What Coinflow is asked to pay, in its wallet's currency; fixed at acceptance, like the key. */
  coinflowAmount: z.strictObject({ cents: z.int().min(1), currency: z.string() }),
  speed: Speed,
  destination: PayoutDestination,
  /** From the quote the payout was checked against. */
  fee: Money.optional(),
  effectiveSpeed: Speed.optional(),
  expectedDeliveryAt: epochMs.optional(),
  /** Coinflow's transaction signature, once it accepted the payout. */
  signature: z.string().optional(),
  failure: PayoutFailure.optional(),
  /** The host's `settlePayout` (for `succeeded`) or `reversePayout` (for `failed`) has returned. */
  hostNotified: z.boolean(),
  /** Transient failures of the current step (host errors, Coinflow 5xx/timeouts, lookups). */
  attempts: z.int().min(0),
  /** When recovery should next act on this payout (retry a step, or look it up at Coinflow). */
  nextAttemptAt: epochMs,
  /** Bumped on every write, so each write is a distinct value for compare-and-set. */
  revision: z.int().min(0),
  createdAt: epochMs,
  updatedAt: epochMs,
})
export type PayoutRecord = z.infer<typeof PayoutRecord>

export const terminalStates: ReadonlySet<PayoutState> = new Set(['succeeded', 'failed', 'refused'])

export const isTerminal = (state: PayoutState): boolean => terminalStates.has(state)

/** Whether the payout still needs work from us: not terminal, or terminal with the host not yet told. */
export const isUnfinished = (record: PayoutRecord): boolean =>
  !isTerminal(record.state) || (record.state !== 'refused' && !record.hostNotified)

/** The claim an Idempotency-Key holds: which payout, and the body it was first sent with. */
export const IdempotencyClaim = z.strictObject({ payoutId: z.string(), requestHash: z.string() })
export type IdempotencyClaim = z.infer<typeof IdempotencyClaim>

/** What `create` found: our new record, or the payout an earlier request with the key made. */
export type CreateOutcome =
  { created: true; record: PayoutRecord } | { created: false; claim: IdempotencyClaim }

/** A Withdraw webhook kept until its payout is known (see `payout-orphan-event`). */
export const OrphanWithdrawEvent = z.strictObject({
  outcome: z.enum(['pending', 'succeeded', 'failed']),
  signature: z.string(),
  receivedAt: epochMs,
})
export type OrphanWithdrawEvent = z.infer<typeof OrphanWithdrawEvent>

// Keys of user-controlled parts are URI-encoded so a `:` in a host's user id can't forge a prefix.
const part = (value: string) => encodeURIComponent(value)

export const payoutKeys = {
  record: (id: string) => `payout:${id}`,
  open: (id: string) => `payout-open:${id}`,
  openPrefix: 'payout-open:',
  idempotency: (userId: string, key: string) => `payout-idempotency:${part(userId)}:${part(key)}`,
  userPrefix: (userId: string) => `payout-by-user:${part(userId)}:`,
  user: (userId: string, createdAt: number, id: string) =>
    `payout-by-user:${part(userId)}:${historyRank(createdAt)}:${id}`,
  signature: (signature: string) => `payout-by-signature:${part(signature)}`,
  orphanEvent: (signature: string) => `payout-orphan-event:${part(signature)}`,
  lock: (id: string) => `payout-lock:${id}`,
}

// Ranks sort newest first as strings: the distance to a date far in the future, zero-padded.
const RANK_EPOCH = 9_999_999_999_999
const historyRank = (createdAt: number) => String(RANK_EPOCH - createdAt).padStart(13, '0')

/** A history cursor: a rank and a payout id, as `history` hands them out. */
export const HistoryCursor = z.string().regex(/^\d{13}:[A-Za-z0-9_]{1,64}$/)

export interface HistoryPage {
  ids: string[]
  nextCursor?: string
}

export interface PayoutJournal {
  get(id: string): Promise<PayoutRecord | null>
  /**
   * Journals a new payout for an Idempotency-Key, or finds the payout the key already made. Steps,
   * each durable before the next: the open marker (so recovery can find the payout whatever
   * happens next), the key's claim (the one atomic decision between concurrent requests), the
   * history entry, the record. A loser removes its marker.
   */
  create(record: PayoutRecord): Promise<CreateOutcome>
  /** The claim under a user's Idempotency-Key, if any. */
  claimFor(userId: string, idempotencyKey: string): Promise<IdempotencyClaim | null>
  /**
   * The record of `id`; if its creation was interrupted between the claim and the record, writes
   * the record from the open marker first. `null` when there is no record and the marker lost (or
   * never made) its claim: nothing was accepted, and the marker is dropped. Call under the lock.
   */
  materialize(id: string): Promise<PayoutRecord | null>
  /**
   * Applies `change` to the current record with compare-and-set, re-applying it on a lost race, so
   * `change` must be pure. It returns the next record, or `null` to leave the record as it is.
   * Resolves to the record as stored after the call, and whether this call changed it.
   */
  update(
    id: string,
    change: (current: PayoutRecord) => PayoutRecord | null,
  ): Promise<{ record: PayoutRecord; changed: boolean } | null>
  /** Drops the open marker of a payout whose story is finished. */
  close(id: string): Promise<void>
  /** Ids of payouts with an open marker: everything recovery must look at. */
  openIds(): Promise<string[]>
  indexSignature(signature: string, id: string): Promise<void>
  findBySignature(signature: string): Promise<string | null>
  /** Keeps a Withdraw outcome for a signature no payout has yet; a final outcome beats `pending`. */
  keepOrphanEvent(event: OrphanWithdrawEvent): Promise<void>
  /** Removes and returns the orphan event for `signature`; only one caller gets it. */
  takeOrphanEvent(signature: string): Promise<OrphanWithdrawEvent | null>
  /**
   * One page of a user's payout ids, newest first. `before` is a `nextCursor` from the last page.
   * An id may (briefly, or after a crash mid-creation) have no record yet: skip it.
   */
  history(userId: string, options: { before?: string; limit: number }): Promise<HistoryPage>
}

// Orphan webhook events wait this long for their payout to be identified (Coinflow retries for 36 h).
const ORPHAN_EVENT_TTL_MS = 7 * 24 * 60 * 60 * 1000

export function createPayoutJournal(store: ShareflowStore): PayoutJournal {
  const get = (id: string) => getJson(store, payoutKeys.record(id), PayoutRecord)

  const claimFor = (userId: string, idempotencyKey: string) =>
    getJson(store, payoutKeys.idempotency(userId, idempotencyKey), IdempotencyClaim)

  // The history entry first, then the record: a record never exists without its entry (an entry
  // without a record is skipped by `history` readers). Both writes are idempotent, so repeating
  // them after a crash is safe.
  const writeRecord = async (record: PayoutRecord) => {
    const text = JSON.stringify(PayoutRecord.parse(record))
    await store.set(payoutKeys.user(record.userId, record.createdAt, record.id), record.id)
    await store.compareAndSet(payoutKeys.record(record.id), null, text)
  }

  return {
    get,
    claimFor,

    async create(record) {
      await putJson(store, payoutKeys.open(record.id), PayoutRecord, record)
      const claim: IdempotencyClaim = { payoutId: record.id, requestHash: record.requestHash }
      const key = payoutKeys.idempotency(record.userId, record.idempotencyKey)
      if (!(await putJsonIfAbsent(store, key, IdempotencyClaim, claim))) {
        await store.delete(payoutKeys.open(record.id))
        const winner = await claimFor(record.userId, record.idempotencyKey)
        // Claims are never deleted, so a lost setIfAbsent always leaves a winner to read.
        if (winner === null) throw new Error(`The Idempotency-Key claim for ${record.id} vanished`)
        return { created: false, claim: winner }
      }
      await writeRecord(record)
      return { created: true, record }
    },

    async materialize(id) {
      const existing = await get(id)
      if (existing) return existing
      const marker = await getJson(store, payoutKeys.open(id), PayoutRecord)
      if (marker === null) return null
      const claim = await claimFor(marker.userId, marker.idempotencyKey)
      if (claim?.payoutId !== id) {
        await store.delete(payoutKeys.open(id))
        return null
      }
      await writeRecord(marker)
      return get(id)
    },

    async update(id, change) {
      let changed = false
      const record = await updateJson(store, payoutKeys.record(id), PayoutRecord, (current) => {
        changed = false
        if (current === null) return undefined
        const next = change(current)
        if (next === null) return undefined
        changed = true
        return { ...next, revision: current.revision + 1 }
      })
      return record === null ? null : { record, changed }
    },

    close: (id) => store.delete(payoutKeys.open(id)),

    async openIds() {
      const keys = await store.keys(payoutKeys.openPrefix)
      return keys.map((key) => key.slice(payoutKeys.openPrefix.length))
    },

    indexSignature: (signature, id) => store.set(payoutKeys.signature(signature), id),
    findBySignature: (signature) => store.get(payoutKeys.signature(signature)),

    async keepOrphanEvent(event) {
      // A final outcome is never replaced by a `pending` that arrived after it (reordered).
      await updateJson(
        store,
        payoutKeys.orphanEvent(event.signature),
        OrphanWithdrawEvent,
        (kept) => (kept && kept.outcome !== 'pending' ? undefined : event),
        { ttlMs: ORPHAN_EVENT_TTL_MS },
      )
    },

    async takeOrphanEvent(signature) {
      const key = payoutKeys.orphanEvent(signature)
      const text = await store.get(key)
      if (text === null || !(await store.compareAndDelete(key, text))) return null
      return OrphanWithdrawEvent.parse(JSON.parse(text))
    },

    async history(userId, { before, limit }) {
      const prefix = payoutKeys.userPrefix(userId)
      // `keys` is sorted and ranks sort newest first; a cursor is the last key's suffix.
      const suffixes = (await store.keys(prefix)).map((key) => key.slice(prefix.length))
      const start = before === undefined ? 0 : suffixes.findIndex((suffix) => suffix > before)
      const page = start < 0 ? [] : suffixes.slice(start, start + limit)
      const ids = page.map((suffix) => suffix.slice(suffix.indexOf(':') + 1))
      const last = page.at(-1)
      const more = start >= 0 && start + limit < suffixes.length
      return more && last !== undefined ? { ids, nextCursor: last } : { ids }
    },
  }
}
