import type { Currency, Money, PositiveMoney } from '@shareflow/contract'

/**
 * The host's side of a payout: its own ledger of user balances. Shareflow never holds money; it
 * asks the host to debit before it pays out, and tells it how the payout ended.
 *
 * Shareflow calls each hook once per payout, serialised by the payout's lock, across retries,
 * double clicks and several instances. The one case it cannot rule out is a crash in the middle
 * of a hook (the host committed, Shareflow died before journaling that): on restart the hook is
 * called again with the same `payoutId`. A host ledger must therefore treat `payoutId` as an
 * idempotency key, as any ledger should when something outside it asks it to move money.
 */
export interface PayoutHostLedger {
  /**
   * Checks the user's balance and debits `amount` atomically, or refuses. A refusal's `reason` is
   * shown to the user as is ("Your balance is too low for this withdrawal."), so write it for them.
   * Throwing means "unknown outcome": Shareflow retries later with the same `payoutId`.
   */
  authorizePayout(input: PayoutHostCall): Promise<AuthorizePayoutResult> | AuthorizePayoutResult
  /** The payout reached the user's destination: the debit is final. */
  settlePayout(input: PayoutHostCall): Promise<void> | void
  /** The payout failed after the debit: give the balance back. `reason` is user-readable. */
  reversePayout(input: PayoutHostCall & { reason: string }): Promise<void> | void
  /**
   * What the user may withdraw now in `currency` (optional). With it, the kit shows an amount
   * above the balance as such while the user types, and the BFF prices no quote for it; without
   * it, `authorizePayout` is the only check and such a payout is refused on the press. Read-only:
   * `authorizePayout` stays the one that decides.
   */
  availableBalance?(input: { user: { id: string }; currency: Currency }): Promise<Money> | Money
}

export interface PayoutHostCall {
  /** The host's own user id, as `getUser` returned it when the payout was requested. */
  user: { id: string }
  /** What leaves the user's balance: the requested amount (the fee comes out of it). */
  amount: PositiveMoney
  /** The fee Coinflow charges the user, when known; already inside `amount`. */
  fee?: Money
  payoutId: string
}

export type AuthorizePayoutResult = { ok: true } | { ok: false; reason: string }
