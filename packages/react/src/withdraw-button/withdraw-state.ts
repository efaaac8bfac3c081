import type { Destination, Payout, PositiveMoney, QuoteOption, Speed } from '@shareflow/contract'
import type { ShareflowError } from '../errors'
import { settledPayoutStates } from '../queries'

/**
 * - `unavailable`: no amount or speed yet, or the quote does not offer this speed; nothing to do.
 * - `needs_destination`: no payout account linked; the action opens Coinflow's page.
 * - `pricing`: the fee for this amount and speed is not on screen yet; nothing to confirm.
 * - `ready`: the action pays out, at the fee on screen (`terms`).
 * - `preparing`: making sure the user is registered with Coinflow.
 * - `linking`: Coinflow's page is open, waiting for `accountLinked`.
 * - `submitting`: sending the payout.
 * - `processing`: Coinflow accepted it; waiting for the webhook (pushed live) to settle it.
 * - `succeeded`, `failed`: settled; `reset()` starts a new payout.
 * - `error`: a call failed; `retry()` repeats it with the same idempotency key.
 */
export type WithdrawState =
  | 'unavailable'
  | 'needs_destination'
  | 'pricing'
  | 'ready'
  | 'preparing'
  | 'linking'
  | 'submitting'
  | 'processing'
  | 'succeeded'
  | 'failed'
  | 'error'

/** What the withdraw flow is doing: nothing, a step of its own, or watching a payout it sent. */
export type WithdrawPhase =
  | { name: 'idle' | 'preparing' | 'linking' | 'submitting' }
  | { name: 'watching'; payoutId: string }
  | { name: 'error'; error: ShareflowError }

/** What the withdraw flow's state is derived from. */
export interface WithdrawInputs {
  phase: WithdrawPhase['name']
  /** The watched payout's state, once read. */
  payoutState: Payout['state'] | undefined
  /** The resolved destination; `null` when the user has none, `undefined` while loading. */
  destination: Destination | null | undefined
  amount: PositiveMoney | undefined
  speed: Speed | undefined
  /**
   * The price of this payout on screen: the option a current quote for exactly this amount and
   * destination gives this speed; `null` when it offers none (over the limit, say); `undefined`
   * while there is no such quote yet.
   */
  terms: QuoteOption | null | undefined
}

/**
 * The withdraw flow's state: a payout being watched shows its outcome (`processing` until it
 * settles), a step in progress or a failure shows as itself, and an idle flow says whether it can
 * pay out (or must link an account, or wait for the price, first).
 */
export function withdrawStateOf({
  phase,
  payoutState,
  destination,
  amount,
  speed,
  terms,
}: WithdrawInputs): WithdrawState {
  if (phase === 'watching') {
    if (payoutState === 'succeeded') return 'succeeded'
    return payoutState && settledPayoutStates.has(payoutState) ? 'failed' : 'processing'
  }
  if (phase !== 'idle') return phase
  if (destination === null) return 'needs_destination'
  if (!amount || !speed || !destination || terms === null) return 'unavailable'
  return terms ? 'ready' : 'pricing'
}
