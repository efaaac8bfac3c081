/**
 * Payouts, built like a ledger rather than a proxy. Each payout walks
 *
 *   accepted → authorized (host debited) → submitted (Coinflow called) → pending → succeeded | failed
 *                        ↘ refused (host declined; no money moved)
 *
 * and every step is journaled (compare-and-set, `journal.ts`) before the next one starts, under a
 * per-payout lease so one worker at a time drives it. Whatever dies, and wherever, the journal
 * says what comes next: `drive` picks a payout up from any state, which is all recovery does.
 *
 * - Coinflow is always called with the payout's own idempotency key (`ids.ts`), so a retry, a
 *   restart or a second instance re-asks for the same payout instead of making another one.
 * - 503s and timeouts leave the payout `submitted` with a time to try again; 451 and 402 end it
 *   (`failed`, balance returned) with an answer the user can act on.
 * - `pending` ends by Coinflow's Withdraw webhook, or by looking the payout up when no webhook
 *   came in time; duplicates and stragglers change nothing because states only move forward.
 * - The host's ledger hooks run once per payout, by whoever holds the lease (`host-ledger.ts`).
 * - Recovery sweeps run on one instance at a time, under a lease in the store that lapses when
 *   its holder dies (`store/lease.ts`), at most once per `sweepEveryMs` across the cluster.
 *
 * Web Standards only.
 *
 * @module
 */
import type {
  CreatePayoutRequest,
  Currency,
  Destination,
  Money,
  Payout,
  PayoutList,
  PositiveMoney,
  Quote,
  QuoteOption,
  QuoteRequest,
  ShareflowEvent,
  Speed,
} from '@shareflow/contract'
import { isoAt, systemClock, type Clock } from '../clock'
import { ApiError } from '../errors'
import { silentLogger, type Logger } from '../logger'
import { sha256Hex } from '../digest'
import type { CoinflowWebhookEvent } from '../services'
import { takeLease, type Lease } from '../store/lease'
import { LockUnavailableError, withLock } from '../store/records'
import type { ShareflowStore } from '../store/types'
import type { CoinflowAccounts, DelegatedQuote } from '../upstream/coinflow'
import type { UpstreamCallCounter } from '../upstream/http'
import { createDestinationBook, type DestinationBook } from './destinations'
import type { PayoutHostCall, PayoutHostLedger } from './host-ledger'
import { coinflowKeyFor, isPayoutId, newPayoutId, payoutIdFromCoinflowKey } from './ids'
import {
  createPayoutJournal,
  isUnfinished,
  payoutKeys,
  type IdempotencyClaim,
  type OrphanWithdrawEvent,
  type PayoutFailure,
  type PayoutJournal,
  type PayoutRecord,
} from './journal'
import {
  createQuoteService,
  type FetchQuoteInput,
  type PricedQuote,
  type QuoteService,
} from './quotes'

/** What Coinflow said to a delegated payout request. */
export type SubmitPayoutOutcome =
  | { kind: 'accepted'; signature: string; effectiveSpeed?: Speed }
  /** 451: the user must finish verification first. */
  | { kind: 'verification_required'; verificationLink?: string }
  /** 402: the merchant's Coinflow balance can't fund it. */
  | { kind: 'insufficient_funds' }
  /** Any other 4xx: Coinflow will not make this payout. */
  | { kind: 'rejected'; status: number }
  /** 5xx, 429, timeouts, network errors after the client's own retries: ask again later. */
  | { kind: 'unavailable'; detail: string }

/** What Coinflow knows about a payout, looked up by its signature. */
export type LookupPayoutOutcome =
  | { kind: 'found'; status: 'pending' | 'completed' | 'failed'; effectiveSpeed?: Speed }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; detail: string }

export interface SubmitPayoutInput {
  userId: string
  account: string
  speed: Speed
  /** In Coinflow's wallet currency (`PayoutRecord.coinflowAmount`). */
  amount: { cents: number; currency: string }
  idempotencyKey: string
}

/**
 * The Coinflow calls payouts need, as outcomes rather than HTTP (adapted from the upstream client
 * in `coinflow-port.ts`). `withdrawerAccounts` and `quote` throw `ApiError`s a user may read
 * (`kyc_required`, `verification_required`, `upstream_unavailable`); the payout calls never throw
 * for anything Coinflow answers. Each call counts on `calls`: the counter of the BFF request it
 * is made for, or none for background work (webhooks, recovery sweeps).
 */
export interface PayoutCoinflow {
  withdrawerAccounts(userId: string, calls?: UpstreamCallCounter): Promise<CoinflowAccounts>
  quote(input: FetchQuoteInput, calls?: UpstreamCallCounter): Promise<DelegatedQuote>
  submitPayout(input: SubmitPayoutInput, calls?: UpstreamCallCounter): Promise<SubmitPayoutOutcome>
  lookupPayout(signature: string, calls?: UpstreamCallCounter): Promise<LookupPayoutOutcome>
}

/** A Coinflow Withdraw webhook, already verified and de-duplicated by the webhook route. */
export interface WithdrawEvent {
  eventType: string
  signature: string
  idempotencyKey?: string
  /** The `x-coinflow-auth-user-id` the payout was made for, when Coinflow echoes it. */
  userId?: string
}

/**
 * A webhook string we can use as a key or in a URL. A signed delivery can still carry a lone
 * UTF-16 surrogate (valid JSON), which `encodeURIComponent` refuses with a URIError; such a
 * value cannot name one of our payouts, so it counts as absent.
 */
function textField(value: unknown): string | undefined {
  return typeof value === 'string' && !/[\uD800-\uDFFF]/u.test(value) ? value : undefined
}

/** The payout fields of a verified Coinflow `Withdraw *` delivery (`routes/webhooks.ts`). */
export function withdrawEventOf(delivery: CoinflowWebhookEvent): WithdrawEvent {
  const signature = textField(delivery.data.signature)
  const idempotencyKey = textField(delivery.data.idempotencyKey)
  const userId = textField(delivery.data.userId)
  return {
    eventType: delivery.eventType,
    signature: signature ?? '',
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(userId !== undefined ? { userId } : {}),
  }
}

export interface PayoutServiceOptions {
  store: ShareflowStore
  coinflow: PayoutCoinflow
  ledger: PayoutHostLedger
  clock?: Clock
  logger?: Logger
  /** Pushes an event to the user's SSE stream (`store.publish` on the user's channel). */
  publish?: (userId: string, event: ShareflowEvent) => Promise<void>
  /**
   * Coinflow refused a payout with 451: the user must verify again. The module points this at the
   * KYC service, so the gate shows `needs_more_info` with the link.
   */
  onVerificationRequired?: (userId: string, verificationLink: string | undefined) => Promise<void>
  /**
   * Called after every journaled change of state (and after the host was told), before the next
   * step starts. For instrumentation; the crash test stops the process here.
   */
  onStep?: (record: PayoutRecord) => void | Promise<void>
  /** How long a pending payout waits for its webhook before Coinflow is asked. Default 60 s. */
  lookupAfterMs?: number
  /** First wait after a transient failure; doubles per attempt, with jitter. Default 1 s. */
  retryBaseMs?: number
  /** Longest wait between attempts. Default 5 min. */
  retryMaxMs?: number
  /** The per-payout lease; must outlast one step (a Coinflow call with its retries). Default 60 s. */
  lockTtlMs?: number
  /** How long a repeated request or a webhook waits for the lease before answering. Default 10 s. */
  lockWaitMs?: number
  /** Cache of each user's destinations, in ms. Default 5 s. */
  destinationCacheMs?: number
  /** Cache of identical quotes, in ms. Default 5 s. */
  quoteCacheMs?: number
  /** How long a quote is shown before the kit asks again. Default 30 s. */
  quoteValidForMs?: number
  /**
   * Least time between two recovery sweeps, across every instance sharing the store: the
   * instance that swept keeps the sweep's lease this long. Default 5 s.
   */
  sweepEveryMs?: number
  /**
   * How long the sweep's lease outlives its holder's last sign of life (it renews before each
   * payout): a killed instance's sweep moves to another instance after at most this. Default 30 s.
   */
  sweepLeaseMs?: number
}

/** What one call to `resumeDue` did. */
export interface SweepResult {
  /** Payouts driven on. */
  resumed: number
  /** Payouts with an open marker when the sweep began (0 when it did not sweep). */
  open: number
  /** `false` when another instance holds the sweep's lease (it sweeps; this one did nothing). */
  swept: boolean
}

export interface PayoutRequestResult {
  payout: Payout
  /** `true` when the Idempotency-Key had already made this payout. */
  replayed: boolean
}

/**
 * The payouts' work. Methods that serve a BFF request take that request's `calls` counter, so
 * every Coinflow call made for it (a payout driven while the user waits included) is counted on
 * it; work the BFF does on its own (webhooks, recovery sweeps) counts on none.
 */
export interface PayoutService {
  readonly destinations: DestinationBook
  quote(userId: string, request: QuoteRequest, calls?: UpstreamCallCounter): Promise<Quote>
  /** What the host says the user may withdraw in `currency`; `null` when the host does not tell. */
  availableBalance(userId: string, currency: Currency): Promise<Money | null>
  /**
   * Accepts a payout for an Idempotency-Key and drives it as far as it goes now. Throws
   * `ApiError` for bad requests (nothing journaled, nothing moved) and for payouts that ended at
   * once in a way the user must act on (`payout_refused`, `verification_required`,
   * `payouts_unavailable`); the same key answers the same way again.
   */
  request(input: {
    userId: string
    idempotencyKey: string
    body: CreatePayoutRequest
    calls?: UpstreamCallCounter
  }): Promise<PayoutRequestResult>
  /** The user's payout, moved on first if it is due; `null` when it is not theirs. */
  get(userId: string, id: string, calls?: UpstreamCallCounter): Promise<Payout | null>
  /** The user's payouts, newest first. */
  list(userId: string, options?: { before?: string; limit?: number }): Promise<PayoutList>
  /** Applies a Coinflow Withdraw Pending / Success / Failure webhook. */
  handleWithdrawEvent(event: WithdrawEvent): Promise<void>
  /**
   * Resumes every unfinished payout that is due (start-up recovery and periodic sweeps), under
   * the sweep's lease in the store, so one instance at a time sweeps.
   */
  resumeDue(): Promise<SweepResult>
  /** Starts a sweep in the background unless one ran recently (called on requests). */
  resumeDueSoon(): void
  /** Sweeps now and then every `intervalMs`; returns the function that stops it. */
  startRecovery(options?: { intervalMs?: number }): () => void
  /**
   * Resolves once no work holds a payout's lease, including work that starts while waiting, and
   * gives up the sweep's lease. Call on a graceful stop before closing the store, so a restart
   * (or another instance) finds every lease released.
   */
  drain(): Promise<void>
  /** The record behind a payout, for tests and operators. */
  readonly journal: PayoutJournal
}

const userMessages = {
  verification: 'Finish verifying your identity, then try again.',
  unavailable: 'Payouts are temporarily unavailable. Your balance has not been charged.',
  rejected: 'This payout could not be sent. The amount has been returned to your balance.',
  failed: 'The payout did not go through. The amount has been returned to your balance.',
} as const

// The terminal failures a user must act on are answered as errors, on the first request and on
// every replay, so a double click sees the same thing as the first click.
function errorFor(record: PayoutRecord): ApiError | null {
  const failure = record.failure
  if (record.state === 'refused') {
    return new ApiError('payout_refused', failure?.reason ?? 'The payout was refused.')
  }
  if (record.state !== 'failed' || !failure) return null
  switch (failure.code) {
    case 'verification_required':
      return new ApiError('verification_required', failure.reason, {
        ...(failure.verificationLink ? { verificationLink: failure.verificationLink } : {}),
      })
    case 'payouts_unavailable':
      return new ApiError('payouts_unavailable', failure.reason)
    default:
      return null
  }
}

/** The journal record as the browser sees it. */
export function toPayout(record: PayoutRecord): Payout {
  return {
    id: record.id,
    state: record.state,
    amount: record.amount,
    ...(record.fee ? { fee: record.fee } : {}),
    speed: record.speed,
    ...(record.effectiveSpeed ? { effectiveSpeed: record.effectiveSpeed } : {}),
    destination: record.destination,
    ...(record.failure ? { failureReason: record.failure.reason } : {}),
    ...(record.expectedDeliveryAt === undefined
      ? {}
      : { expectedDeliveryAt: isoAt(record.expectedDeliveryAt) }),
    createdAt: isoAt(record.createdAt),
    updatedAt: isoAt(record.updatedAt),
  }
}

const money = (amount: { cents: number; currency: string }) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: amount.currency }).format(
    amount.cents / 100,
  )

function unavailableMessage(option: QuoteOption): string {
  switch (option.unavailableReason) {
    case 'over_limit':
      return `The most you can withdraw at this speed is ${money(option.limit)}.`
    case 'fee_exceeds_amount':
      return `The fee at this speed (${money(option.fee)}) is more than the amount.`
    default:
      return 'That speed is not available for this destination right now.'
  }
}

async function hashRequest(body: CreatePayoutRequest): Promise<string> {
  const canonical = JSON.stringify([
    body.amount.cents,
    body.amount.currency,
    body.speed,
    body.destinationId,
    body.fee.cents,
    body.fee.currency,
  ])
  return sha256Hex(canonical)
}

// A host's refusal is shown to the user verbatim; keep it a sentence, not a document.
const hostReason = (reason: string) =>
  reason.trim().slice(0, 300) || 'The payout was refused by the platform.'

const withdrawOutcomes: Record<string, OrphanWithdrawEvent['outcome']> = {
  'Withdraw Pending': 'pending',
  'Withdraw Success': 'succeeded',
  'Withdraw Failure': 'failed',
}

/** The store key of the recovery sweep's lease (one holder among all instances). */
const SWEEP_LEASE_KEY = 'payout-sweep-lease'

export function createPayoutService(options: PayoutServiceOptions): PayoutService {
  const {
    store,
    coinflow,
    ledger,
    clock = systemClock,
    logger = silentLogger,
    publish,
    onStep,
    onVerificationRequired,
    lookupAfterMs = 60_000,
    retryBaseMs = 1_000,
    retryMaxMs = 5 * 60_000,
    lockTtlMs = 60_000,
    lockWaitMs = 10_000,
    sweepEveryMs = 5_000,
    sweepLeaseMs = 30_000,
  } = options
  const journal = createPayoutJournal(store)
  const destinations = createDestinationBook({
    fetchAccounts: (userId, calls) => coinflow.withdrawerAccounts(userId, calls),
    clock,
    ...(options.destinationCacheMs === undefined ? {} : { cacheMs: options.destinationCacheMs }),
  })
  const quotes: QuoteService = createQuoteService({
    fetchQuote: (input, calls) => coinflow.quote(input, calls),
    clock,
    ...(options.quoteCacheMs === undefined ? {} : { cacheMs: options.quoteCacheMs }),
    ...(options.quoteValidForMs === undefined ? {} : { validForMs: options.quoteValidForMs }),
  })

  const retryAt = (attempts: number) => {
    const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1))
    return clock.now() + Math.ceil(ceiling * (0.5 + Math.random() / 2))
  }

  const hostCall = (record: PayoutRecord): PayoutHostCall => ({
    user: { id: record.userId },
    amount: record.amount,
    ...(record.fee ? { fee: record.fee } : {}),
    payoutId: record.id,
  })

  /** Tells the user's browser and the step hook about a change that was just journaled. */
  async function announce(record: PayoutRecord, before: PayoutRecord | null) {
    const moved =
      before === null ||
      before.state !== record.state ||
      before.hostNotified !== record.hostNotified
    if (!moved) return
    logger.info('payout step', {
      payoutId: record.id,
      state: record.state,
      hostNotified: record.hostNotified,
      ...(record.failure ? { failure: record.failure.code } : {}),
    })
    // Also once the host was told: its balance changed (settled or given back) only now, and a
    // page reading the balance on the state's event may have read it just before.
    try {
      await publish?.(record.userId, { type: 'payout.updated', payout: toPayout(record) })
    } catch (error) {
      // The journal already holds the change; a lost push only means the browser polls for it.
      logger.warn('payout event not published', { payoutId: record.id, error })
    }
    await onStep?.(record)
  }

  /**
   * Journals `patch` on top of the payout if it is still in the state `before` saw; states only
   * move forward, so if someone else moved it, their record wins and is returned instead.
   */
  async function journaled(
    before: PayoutRecord,
    patch: Partial<PayoutRecord>,
  ): Promise<PayoutRecord> {
    const result = await journal.update(before.id, (current) =>
      current.state !== before.state ? null : { ...current, ...patch, updatedAt: clock.now() },
    )
    if (result === null) throw new Error(`The journal lost payout ${before.id}`)
    if (result.changed) await announce(result.record, before)
    return result.record
  }

  const fail = (record: PayoutRecord, failure: PayoutFailure) =>
    journaled(record, {
      state: 'failed',
      failure,
      hostNotified: false,
      attempts: 0,
      nextAttemptAt: clock.now(),
    })

  const later = (record: PayoutRecord) =>
    journaled(record, {
      attempts: record.attempts + 1,
      nextAttemptAt: retryAt(record.attempts + 1),
    })

  async function authorize(record: PayoutRecord): Promise<PayoutRecord> {
    let result
    try {
      result = await ledger.authorizePayout(hostCall(record))
    } catch (error) {
      // Unknown outcome: ask again later with the same payout id; the host must not debit twice.
      logger.error('host authorizePayout threw; will retry', { payoutId: record.id, error })
      return later(record)
    }
    if (result.ok) {
      return journaled(record, { state: 'authorized', attempts: 0, nextAttemptAt: clock.now() })
    }
    return journaled(record, {
      state: 'refused',
      failure: { code: 'host_refused', reason: hostReason(result.reason) },
      hostNotified: true,
    })
  }

  async function submit(record: PayoutRecord, calls?: UpstreamCallCounter): Promise<PayoutRecord> {
    const outcome = await coinflow.submitPayout(
      {
        userId: record.userId,
        account: record.destination.id,
        speed: record.speed,
        amount: record.coinflowAmount,
        idempotencyKey: record.coinflowIdempotencyKey,
      },
      calls,
    )
    switch (outcome.kind) {
      case 'accepted': {
        // Indexed first, so a webhook that races this response already finds its payout.
        await journal.indexSignature(outcome.signature, record.id)
        const effectiveSpeed = outcome.effectiveSpeed ?? record.effectiveSpeed
        const next = await journaled(record, {
          state: 'pending',
          signature: outcome.signature,
          ...(effectiveSpeed ? { effectiveSpeed } : {}),
          attempts: 0,
          nextAttemptAt: clock.now() + lookupAfterMs,
        })
        if (next.state !== 'pending' && next.signature === undefined) {
          // A webhook finished it first; keep what only this response told us.
          await journal.update(record.id, (current) =>
            current.signature ? null : { ...current, signature: outcome.signature },
          )
        }
        const orphan = await journal.takeOrphanEvent(outcome.signature)
        return orphan ? applyEvent(record.id, orphan.outcome, outcome.signature) : next
      }
      case 'verification_required': {
        const failed = await fail(record, {
          code: 'verification_required',
          reason: userMessages.verification,
          ...(outcome.verificationLink ? { verificationLink: outcome.verificationLink } : {}),
        })
        try {
          await onVerificationRequired?.(record.userId, outcome.verificationLink)
        } catch (error) {
          // The payout's answer already carries the link; the gate catches up on /session.
          logger.warn('could not record that verification is required', {
            payoutId: record.id,
            error,
          })
        }
        return failed
      }
      case 'insufficient_funds':
        // The operator must top up the merchant wallet; users can do nothing about it.
        logger.error('ALERT: Coinflow refused a payout for insufficient merchant funds (402)', {
          alert: 'coinflow_insufficient_funds',
          payoutId: record.id,
        })
        return fail(record, { code: 'payouts_unavailable', reason: userMessages.unavailable })
      case 'rejected':
        logger.error('Coinflow rejected a payout', { payoutId: record.id, status: outcome.status })
        return fail(record, { code: 'rejected', reason: userMessages.rejected })
      case 'unavailable':
        logger.warn('Coinflow unavailable; payout stays submitted and will be resumed', {
          payoutId: record.id,
          attempts: record.attempts + 1,
          detail: outcome.detail,
        })
        return later(record)
    }
  }

  async function lookUp(record: PayoutRecord, calls?: UpstreamCallCounter): Promise<PayoutRecord> {
    if (record.signature === undefined)
      throw new Error(`Pending payout ${record.id} has no signature`)
    const outcome = await coinflow.lookupPayout(record.signature, calls)
    if (outcome.kind === 'found' && outcome.status !== 'pending') {
      logger.info('payout settled by lookup (no webhook in time)', {
        payoutId: record.id,
        status: outcome.status,
      })
      return applyEvent(
        record.id,
        outcome.status === 'completed' ? 'succeeded' : 'failed',
        record.signature,
      )
    }
    return later(record)
  }

  async function notifyHost(record: PayoutRecord): Promise<PayoutRecord> {
    try {
      if (record.state === 'succeeded') await ledger.settlePayout(hostCall(record))
      else
        await ledger.reversePayout({
          ...hostCall(record),
          reason: record.failure?.reason ?? userMessages.failed,
        })
    } catch (error) {
      logger.error('host ledger hook threw; will retry', {
        payoutId: record.id,
        state: record.state,
        error,
      })
      return later(record)
    }
    return journaled(record, { hostNotified: true, attempts: 0 })
  }

  /**
   * One step from `record`'s state; `null` when nothing can happen until later. Coinflow calls
   * count on `calls`, the counter of the request the payout is driven for, if any.
   */
  function step(record: PayoutRecord, calls?: UpstreamCallCounter): Promise<PayoutRecord> | null {
    const due = record.nextAttemptAt <= clock.now()
    switch (record.state) {
      case 'accepted':
        return due ? authorize(record) : null
      case 'authorized':
        return journaled(record, { state: 'submitted', attempts: 0, nextAttemptAt: clock.now() })
      case 'submitted':
        return due ? submit(record, calls) : null
      case 'pending':
        return due ? lookUp(record, calls) : null
      case 'succeeded':
      case 'failed':
        return !record.hostNotified && due ? notifyHost(record) : null
      case 'refused':
        return null
    }
  }

  /** Moves the payout as far as it can go now. Call with the payout's lease held. */
  async function drive(id: string, calls?: UpstreamCallCounter): Promise<PayoutRecord | null> {
    const started = Date.now()
    let record = await journal.materialize(id)
    if (record === null) return null
    // Every step either moves the state forward or schedules a later attempt, so this ends;
    // the bound is a guard against a bug turning into a busy loop.
    for (let steps = 0; steps < 50; steps++) {
      // Leave the rest to the next sweep rather than outlive the lease (in real time, as the
      // store's leases are) when steps run slow, e.g. Coinflow timing out and being retried.
      if (Date.now() - started > lockTtlMs / 2) break
      const next = step(record, calls)
      if (next === null) break
      record = await next
    }
    if (!isUnfinished(record)) await journal.close(id)
    return record
  }

  // Work done under a payout's lease, so a graceful stop can wait for it: a lease abandoned by a
  // stopping instance (its store closed underneath) blocks the payout until the lease expires.
  const leasedWork = new Set<Promise<unknown>>()

  /** Runs `work` under the payout's lease, tracked until it ends. */
  function underLease<T>(id: string, work: () => Promise<T>, options?: { waitMs?: number }) {
    const running = withLock(store, payoutKeys.lock(id), lockTtlMs, work, options)
    leasedWork.add(running)
    void running.then(
      () => leasedWork.delete(running),
      () => leasedWork.delete(running),
    )
    return running
  }

  /** `drive` under the payout's lease; if someone else holds it past `waitMs`, the record as it is. */
  async function driveLocked(
    id: string,
    waitMs: number,
    calls?: UpstreamCallCounter,
  ): Promise<PayoutRecord | null> {
    try {
      return await underLease(id, () => drive(id, calls), { waitMs })
    } catch (error) {
      if (error instanceof LockUnavailableError) return journal.get(id)
      throw error
    }
  }

  /** Applies a Withdraw outcome (webhook or lookup) and returns the record as stored. */
  async function applyEvent(
    id: string,
    outcome: OrphanWithdrawEvent['outcome'],
    signature: string,
  ): Promise<PayoutRecord> {
    const now = clock.now()
    const seen: { before?: PayoutRecord } = {}
    const result = await journal.update(id, (current) => {
      seen.before = current
      if (current.signature !== undefined && current.signature !== signature) return null
      if (current.state !== 'submitted' && current.state !== 'pending') return null
      const moved = { ...current, signature, attempts: 0, updatedAt: now }
      switch (outcome) {
        case 'pending':
          return current.state === 'pending'
            ? null
            : { ...moved, state: 'pending', nextAttemptAt: now + lookupAfterMs }
        case 'succeeded':
          return { ...moved, state: 'succeeded', hostNotified: false, nextAttemptAt: now }
        case 'failed':
          return {
            ...moved,
            state: 'failed',
            failure: { code: 'withdraw_failed', reason: userMessages.failed },
            hostNotified: false,
            nextAttemptAt: now,
          }
      }
    })
    if (result === null) throw new Error(`The journal lost payout ${id}`)
    if (result.changed) await announce(result.record, seen.before ?? null)
    else if (seen.before?.signature !== undefined && seen.before.signature !== signature) {
      logger.warn('withdraw outcome for another signature ignored', { payoutId: id, outcome })
    }
    return result.record
  }

  async function replay(
    claim: IdempotencyClaim,
    requestHash: string,
    calls?: UpstreamCallCounter,
  ): Promise<PayoutRecord> {
    if (claim.requestHash !== requestHash) {
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different payout. Use a new key for a new payout.',
      )
    }
    const record = await driveLocked(claim.payoutId, lockWaitMs, calls)
    if (record === null) {
      throw new ApiError('conflict', 'This payout is still being set up. Try again in a moment.')
    }
    return record
  }

  async function checkedOption(
    userId: string,
    destination: Destination,
    body: CreatePayoutRequest,
    calls?: UpstreamCallCounter,
  ): Promise<{ option: QuoteOption; coinflowAmount: PricedQuote['coinflowAmount'] }> {
    if (!destination.speeds.includes(body.speed)) {
      throw new ApiError(
        'amount_not_allowed',
        'That speed is not available for this destination.',
        {
          fields: [
            { path: 'speed', message: `Choose one of: ${destination.speeds.join(', ') || 'none'}` },
          ],
        },
      )
    }
    const { quote, coinflowAmount } = await quoteFor(userId, destination, body.amount, calls)
    const option = quote.options.find((candidate) => candidate.speed === body.speed)
    if (!option?.available) {
      throw new ApiError(
        'amount_not_allowed',
        option ? unavailableMessage(option) : 'That speed is not available.',
        {
          fields: [{ path: 'amount.cents', message: option?.unavailableReason ?? 'not_supported' }],
        },
      )
    }
    // The user confirms the fee on screen; a payout at any other fee (the price moved since, or
    // the screen showed another amount's quote) is not the one they agreed to. Nothing has been
    // claimed or debited yet, so the user loses nothing by confirming the fresh figures.
    if (option.fee.cents !== body.fee.cents || option.fee.currency !== body.fee.currency) {
      throw new ApiError(
        'quote_changed',
        `The fee for this payout is now ${money(option.fee)}. Check the new price and confirm again.`,
        { fields: [{ path: 'fee', message: `Now ${option.fee.cents} ${option.fee.currency}` }] },
      )
    }
    return { option, coinflowAmount }
  }

  async function quoteFor(
    userId: string,
    destination: Destination,
    amount: PositiveMoney,
    calls?: UpstreamCallCounter,
  ) {
    if (amount.currency !== destination.currency) {
      throw new ApiError(
        'amount_not_allowed',
        `This destination pays out in ${destination.currency}, not ${amount.currency}.`,
        { fields: [{ path: 'amount.currency', message: `Must be ${destination.currency}` }] },
      )
    }
    if (destination.speeds.length === 0) {
      throw new ApiError('amount_not_allowed', 'This destination cannot receive payouts.')
    }
    return quotes.quote(userId, destination, amount, calls)
  }

  let lastSweepAt = Number.NEGATIVE_INFINITY
  let sweeping: Promise<SweepResult> | null = null
  // This instance, as a holder of the sweep's lease (a restarted process is a new holder).
  const sweepHolder = crypto.randomUUID()
  let sweepLease: Lease | null = null

  async function sweep(): Promise<SweepResult> {
    const startedAt = clock.now()
    const lease = await takeLease(store, SWEEP_LEASE_KEY, sweepHolder, sweepLeaseMs)
    if (!lease) return { resumed: 0, open: 0, swept: false }
    sweepLease = lease
    const ids = await journal.openIds()
    let resumed = 0
    let lost = false
    // A few at a time: recovery after an outage must not flood Coinflow or the host.
    const queue = [...ids]
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !lost; id = queue.shift()) {
        try {
          // Still ours before each payout: a holder paused past its lease stops here rather
          // than sweep beside its successor.
          if (!(await lease.renew(sweepLeaseMs))) {
            if (!lost) logger.warn('payout sweep lease lost', { fence: lease.fence })
            lost = true
            return
          }
          const record = await journal.get(id)
          if (record !== null && !isUnfinished(record)) {
            await journal.close(id)
            continue
          }
          if (record !== null && record.nextAttemptAt > clock.now()) continue
          await driveLocked(id, 0)
          resumed++
        } catch (error) {
          logger.error('payout recovery step failed', { payoutId: id, error })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(4, ids.length) }, worker))
    if (!lost) {
      // Kept until `sweepEveryMs` after this sweep began, so the cluster sweeps once per period.
      const quietMs = sweepEveryMs - (clock.now() - startedAt)
      if (quietMs >= 1) await lease.renew(Math.ceil(quietMs))
      else await lease.release()
    }
    return { resumed, open: ids.length, swept: true }
  }

  /** Gives the sweep's lease up if this instance still holds it (a graceful stop). */
  const releaseSweepLease = async () => {
    await sweepLease?.release()
    sweepLease = null
  }

  const resumeDue = () => {
    lastSweepAt = clock.now()
    sweeping ??= sweep().finally(() => {
      sweeping = null
    })
    return sweeping
  }

  return {
    destinations,
    journal,

    availableBalance: async (userId, currency) =>
      (await ledger.availableBalance?.({ user: { id: userId }, currency })) ?? null,

    async quote(userId, request, calls) {
      // Over the host's balance, no price is worth showing: the host would refuse the payout.
      const available = await ledger.availableBalance?.({
        user: { id: userId },
        currency: request.amount.currency,
      })
      if (available && request.amount.cents > available.cents) {
        throw new ApiError('amount_not_allowed', 'This is more than your available balance.', {
          fields: [{ path: 'amount.cents', message: `At most ${available.cents}` }],
        })
      }
      const destination = await destinations.find(userId, request.destinationId, calls)
      return (await quoteFor(userId, destination, request.amount, calls)).quote
    },

    async request({ userId, idempotencyKey, body, calls }) {
      const requestHash = await hashRequest(body)
      const prior = await journal.claimFor(userId, idempotencyKey)
      if (prior) return answer(await replay(prior, requestHash, calls), true)

      const destination = await destinations.find(userId, body.destinationId, calls)
      const { option, coinflowAmount } = await checkedOption(userId, destination, body, calls)
      const id = newPayoutId()
      const now = clock.now()
      const record: PayoutRecord = {
        id,
        userId,
        idempotencyKey,
        requestHash,
        coinflowIdempotencyKey: coinflowKeyFor(id),
        state: 'accepted',
        amount: body.amount,
        coinflowAmount,
        speed: body.speed,
        destination: {
          id: destination.id,
          type: destination.type,
          last4: destination.last4,
          label: destination.label,
        },
        fee: option.fee,
        effectiveSpeed: option.effectiveSpeed,
        expectedDeliveryAt: Date.parse(option.expectedDeliveryAt),
        hostNotified: false,
        attempts: 0,
        nextAttemptAt: now,
        revision: 0,
        createdAt: now,
        updatedAt: now,
      }
      const outcome = await underLease(id, async () => {
        const created = await journal.create(record)
        if (!created.created) return created
        await announce(record, null)
        return { created: true as const, record: (await drive(id, calls)) ?? record }
      })
      if (!outcome.created) return answer(await replay(outcome.claim, requestHash, calls), true)
      return answer(outcome.record, false)
    },

    async get(userId, id, calls) {
      if (!isPayoutId(id)) return null
      let record = await journal.get(id)
      if (record === null || record.userId !== userId) return null
      if (isUnfinished(record) && record.nextAttemptAt <= clock.now()) {
        record = (await driveLocked(id, 0, calls)) ?? record
      }
      return toPayout(record)
    },

    async list(userId, { before, limit = 20 } = {}) {
      const page = await journal.history(userId, { ...(before ? { before } : {}), limit })
      const records = await Promise.all(page.ids.map((id) => journal.get(id)))
      return {
        payouts: records
          .filter((record): record is PayoutRecord => record !== null && record.userId === userId)
          .map(toPayout),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      }
    },

    async handleWithdrawEvent(event) {
      const outcome = withdrawOutcomes[event.eventType]
      if (outcome === undefined || event.signature === '') return
      const fromKey = event.idempotencyKey ? payoutIdFromCoinflowKey(event.idempotencyKey) : null
      const id = fromKey ?? (await journal.findBySignature(event.signature))
      const record = id === null ? null : await journal.get(id)
      if (record === null) {
        // Not ours yet (the payout response is still on its way, or we crashed before reading
        // it): keep the outcome until the signature is journaled.
        await journal.keepOrphanEvent({
          outcome,
          signature: event.signature,
          receivedAt: clock.now(),
        })
        logger.info('withdraw webhook kept for a payout not yet known', { outcome })
        return
      }
      if (event.userId !== undefined && event.userId !== record.userId) {
        logger.warn('withdraw webhook names another user; ignored', { payoutId: record.id })
        return
      }
      // Later deliveries may carry only the signature; make sure it leads here too.
      if (fromKey !== null) await journal.indexSignature(event.signature, record.id)
      await applyEvent(record.id, outcome, event.signature)
      // Tell the host now rather than at the next sweep, waiting only briefly for the lease:
      // Coinflow wants its answer within 5 s, and if the lease is busy its holder or the next
      // sweep finishes the job.
      await driveLocked(record.id, Math.min(lockWaitMs, 1_000))
    },

    resumeDue,

    resumeDueSoon() {
      if (sweeping || clock.now() - lastSweepAt < sweepEveryMs) return
      resumeDue().catch((error: unknown) => logger.error('payout recovery sweep failed', { error }))
    },

    async drain() {
      while (leasedWork.size > 0) await Promise.allSettled([...leasedWork])
      await releaseSweepLease()
    },
    startRecovery({ intervalMs = 5_000 } = {}) {
      let stopped = false
      let timer: ReturnType<typeof setTimeout> | undefined
      const tick = async () => {
        try {
          await resumeDue()
        } catch (error) {
          logger.error('payout recovery sweep failed', { error })
        }
        if (!stopped) timer = setTimeout(tick, intervalMs)
      }
      void tick()
      return () => {
        stopped = true
        clearTimeout(timer)
      }
    },
  }

  function answer(record: PayoutRecord, replayed: boolean): PayoutRequestResult {
    const error = errorFor(record)
    if (error) throw error
    return { payout: toPayout(record), replayed }
  }
}
