import type {
  CoinflowBrowserSession,
  CreatePayoutRequest,
  Destination,
  Payout,
  PositiveMoney,
  QuoteOption,
  Session,
  Speed,
} from '@shareflow/contract'
import { useEffect, useRef, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { ShareflowError } from '../errors'
import { createIdempotencyKey } from '../idempotency'
import { applyPayout, useLiveUpdates } from '../cache-updates'
import { useResolvedDestination } from '../payout-quote/payout-quote'
import { usePayoutQuote } from '../payout-quote/use-payout-quote'
import { useShareflow } from '../provider'
import { keys, payoutQuery, sessionQuery, settledPayoutStates as settled } from '../queries'
import { asShareflowError, useShareflowSession } from '../session/use-shareflow-session'
import { useLatest } from '../use-latest'
import {
  withdrawStateOf,
  type WithdrawInputs,
  type WithdrawPhase,
  type WithdrawState,
} from './withdraw-state'

/** Where an intent-in-flight survives a reload, so it resumes instead of paying twice. */
export type IntentStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export interface WithdrawOptions {
  amount?: PositiveMoney
  speed?: Speed
  /** A destination or its id; defaults to the user's first linked one in the amount's currency. */
  destination?: Destination | string
  /** Called once when the payout succeeds. */
  onWithdrawn?(payout: Payout): void
  onStateChange?(state: WithdrawState): void
  /** Defaults to `sessionStorage`; `null` keeps intents in memory only. */
  storage?: IntentStorage | null
}

export interface WithdrawController {
  state: WithdrawState
  payout: Payout | undefined
  error: ShareflowError | undefined
  /** The resolved destination; `null` when the user has none, `undefined` while loading. */
  destination: Destination | null | undefined
  /**
   * The terms a payout is made at: the current quote's option for exactly this amount, speed and
   * destination (the figures `<PayoutQuote>` shows for them). `undefined` while there is none;
   * the flow is then `pricing`, never `ready`.
   */
  terms: QuoteOption | undefined
  /**
   * While `error`: the payout `retry()` sends again under its own key (it may have reached the
   * BFF), whatever the form now holds; `undefined` when `retry()` starts a new payout instead.
   */
  retrying: CreatePayoutRequest | undefined
  /** Present while `linking`: what Coinflow's page needs. */
  coinflow: CoinflowBrowserSession | undefined
  /** The main action: links an account when there is none, otherwise pays out. */
  withdraw(): void
  /** Coinflow's page reported `accountLinked`. */
  accountLinked(): void
  /** Closes Coinflow's page without linking. */
  cancelLinking(): void
  retry(): void
  reset(): void
}

interface Intent {
  key: string
  request: CreatePayoutRequest
  payoutId?: string
}

function defaultStorage(): IntentStorage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    // Storage can throw when disabled (private modes, sandboxed frames).
    return null
  }
}

const notApproved = () =>
  new ShareflowError({
    code: 'kyc_required',
    status: 403,
    message: 'Not approved by Coinflow yet.',
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The quote option a payout of `amount` at `speed` to `destination` would be made at: from a
 * current quote for exactly that amount (the query `<PayoutQuote>` shows, debounced alike, so the
 * two share one request), never the previous amount's figures still on screen while it re-quotes.
 */
function useShownTerms(
  amount: PositiveMoney | undefined,
  speed: Speed | undefined,
  destination: Destination | null | undefined,
): WithdrawInputs['terms'] {
  // `ready` is only ever a quote for the amount, currency and destination asked for now (its
  // query key), never the previous amount's figures kept on screen while this one is priced.
  const { state, quote } = usePayoutQuote({
    amount: amount?.cents,
    currency: amount?.currency ?? 'USD',
    destinationId: destination && destination.id,
  })
  // Above the balance there is nothing to confirm: the amount field says why.
  if (state === 'over_balance') return null
  if (state !== 'ready') return undefined
  return quote?.options.find((option) => option.speed === speed && option.available) ?? null
}

/**
 * Pays out with one idempotency key per intent: double clicks, retries and a reload in the
 * middle all end in one payout. Links a payout account through Coinflow's page first when there
 * is none, then follows the payout to success or failure over the event stream.
 *
 * @example
 * const withdraw = useWithdraw({ amount: { cents: 25_00, currency: 'USD' }, speed: 'standard' })
 * <button onClick={withdraw.withdraw} aria-disabled={withdraw.state !== 'ready'}>Withdraw</button>
 */
export function useWithdraw(options: WithdrawOptions): WithdrawController {
  const { client, queryClient } = useShareflow('useWithdraw')
  const { session } = useShareflowSession()
  const destination = useResolvedDestination(options.destination, options.amount?.currency)
  const terms = useShownTerms(options.amount, options.speed, destination)
  const latest = useLatest({ options, destination, terms })
  const [phase, setPhase] = useState<WithdrawPhase>({ name: 'idle' })
  const busy = useRef(false)

  const storage = options.storage === undefined ? defaultStorage() : options.storage
  const storageKey = `shareflow:payout-intent:${client.baseUrl}`
  const intent = useRef<Intent | undefined>(undefined)
  const saveIntent = (next: Intent | undefined) => {
    intent.current = next
    try {
      if (next) storage?.setItem(storageKey, JSON.stringify(next))
      else storage?.removeItem(storageKey)
    } catch {
      // A full or disabled storage only loses reload-resumption, never the payout itself.
    }
  }

  const submit = async (current: Intent) => {
    saveIntent(current)
    setPhase({ name: 'submitting' })
    let payout: Payout | undefined
    for (let attempt = 0; !payout; attempt++) {
      try {
        payout = await client.createPayout(current.request, { idempotencyKey: current.key })
      } catch (thrown) {
        const error = asShareflowError(thrown)
        if (error.retryable && attempt < 2) {
          await sleep(500 * 2 ** attempt)
          continue
        }
        // A definite "no" is journaled under this key; a new attempt needs a new key.
        if (!error.retryable) saveIntent(undefined)
        if (error.code === 'quote_changed') {
          // The error shows beside the fresh figures, so the next press confirms what is shown.
          await queryClient.refetchQueries({ queryKey: [...keys.all(client), 'quote'] })
        }
        if (error.code === 'kyc_required' || error.code === 'verification_required') {
          void queryClient.invalidateQueries({ queryKey: keys.session(client) })
        }
        throw error
      }
    }
    saveIntent({ ...current, payoutId: payout.id })
    // Events may have got here first; the query's own options only apply once it is watched.
    applyPayout(queryClient, client, payout)
    setPhase({ name: 'watching', payoutId: payout.id })
  }

  /** The session, registering the user with Coinflow first when the share is still due. */
  const registeredSession = async (): Promise<Session> => {
    let fresh = await queryClient.fetchQuery(sessionQuery(client))
    if (fresh.kyc.state !== 'approved' && fresh.kyc.nextAction === 'share') {
      await client.share()
      fresh = await queryClient.fetchQuery(sessionQuery(client))
    }
    if (fresh.kyc.state !== 'approved') throw notApproved()
    return fresh
  }

  const run = async (work: () => Promise<void>) => {
    if (busy.current) return
    busy.current = true
    try {
      await work()
    } catch (error) {
      setPhase({ name: 'error', error: asShareflowError(error) })
    } finally {
      busy.current = false
    }
  }

  const withdraw = () =>
    run(async () => {
      setPhase({ name: 'preparing' })
      const fresh = await registeredSession()
      const { options: current, destination: target, terms: shown } = latest.current
      if (!target) {
        // Coinflow's page needs a session key (≤ 30 minutes); the fetch above asked the BFF, which
        // hands out one with at least 5 minutes left (a reused key, or a freshly minted one).
        if (!fresh.coinflow) throw notApproved()
        setPhase({ name: 'linking' })
        return
      }
      // Only at the fee on screen for exactly this amount and speed: a payout the user confirmed.
      if (!current.amount || !current.speed || !shown) {
        setPhase({ name: 'idle' })
        return
      }
      await submit({
        key: createIdempotencyKey(),
        request: {
          amount: current.amount,
          speed: current.speed,
          destinationId: target.id,
          fee: shown.fee,
        },
      })
    })

  // Resume an intent a reload interrupted: watch its payout, or send it again under its own key.
  const resumed = useRef(false)
  useEffect(() => {
    if (resumed.current) return
    resumed.current = true
    let stored: Intent | undefined
    try {
      stored = JSON.parse(storage?.getItem(storageKey) ?? 'null') ?? undefined
    } catch {
      stored = undefined
    }
    if (!stored?.key || !stored.request) return
    intent.current = stored
    if (stored.payoutId) setPhase({ name: 'watching', payoutId: stored.payoutId })
    else void run(() => submit(stored))
    // Once per mount by design: `run` and `submit` only read refs.
  }, [])

  const payoutId = phase.name === 'watching' ? phase.payoutId : undefined
  const watched = useQuery(payoutQuery(client, payoutId), queryClient)
  const payout = payoutId ? watched.data : undefined
  // Follow the stream while the payout is on its way, and while Coinflow's page is open (a linked
  // account arrives as `destinations.updated` should the page's own message never come).
  const following =
    (payoutId !== undefined && !settled.has(payout?.state ?? 'accepted')) ||
    phase.name === 'linking'
  const liveStatus = useLiveUpdates(client, queryClient, following)
  // An update published before the event stream was up is not replayed to a new stream: read
  // the payout once more as soon as the stream is live.
  const refetchPayout = watched.refetch
  useEffect(() => {
    if (liveStatus === 'live' && payoutId) void refetchPayout()
  }, [liveStatus, payoutId, refetchPayout])

  useEffect(() => {
    if (payout && settled.has(payout.state) && intent.current?.payoutId === payout.id) {
      saveIntent(undefined)
    }
  })

  const state = withdrawStateOf({
    phase: phase.name,
    payoutState: payout?.state,
    destination,
    amount: options.amount,
    speed: options.speed,
    terms,
  })

  // A definite "no" was for the payout the form held then: once the amount, speed or account
  // changes, the button offers the new payout instead of repeating the old answer. (An intent that
  // may have reached the BFF stays `retrying`: its outcome must be known before another payout.)
  // The payout account finishing loading is no such change: a payout resent on mount may be
  // refused before the session arrives, and its answer must stay.
  const loading = useRef(true)
  useEffect(() => {
    if (!intent.current && !loading.current) {
      setPhase((now) => (now.name === 'error' ? { name: 'idle' } : now))
    }
    loading.current = destination === undefined
  }, [options.amount?.cents, options.amount?.currency, options.speed, destination?.id])

  const notified = useRef<string | undefined>(undefined)
  useEffect(() => {
    latest.current.options.onStateChange?.(state)
    if (state === 'succeeded' && payout && notified.current !== payout.id) {
      notified.current = payout.id
      latest.current.options.onWithdrawn?.(payout)
    }
  }, [state, payout, latest])

  return {
    state,
    payout,
    error: phase.name === 'error' ? phase.error : undefined,
    retrying:
      phase.name === 'error' && intent.current && !intent.current.payoutId
        ? intent.current.request
        : undefined,
    destination,
    terms: terms ?? undefined,
    coinflow: phase.name === 'linking' ? (session?.coinflow ?? undefined) : undefined,
    withdraw: () => void withdraw(),
    accountLinked: () => {
      setPhase({ name: 'idle' })
      void queryClient.invalidateQueries({ queryKey: keys.session(client) })
    },
    cancelLinking: () => setPhase({ name: 'idle' }),
    retry: () => {
      // Same intent, same key: if an earlier try reached the BFF, this returns that payout.
      const pending = intent.current
      if (pending && !pending.payoutId) void run(() => submit(pending))
      else void withdraw()
    },
    reset: () => {
      if (busy.current) return
      saveIntent(undefined)
      setPhase({ name: 'idle' })
    },
  }
}
