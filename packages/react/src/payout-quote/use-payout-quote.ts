import type { Currency, Money, Quote } from '@shareflow/contract'
import { useEffect, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import type { ShareflowError } from '../errors'
import { useShareflow } from '../provider'
import { balanceQuery, quoteQuery, quoteValidityMs } from '../queries'
import { asShareflowError } from '../session/use-shareflow-session'

/**
 * - `no_destination`: nothing to quote to yet (link a payout account first).
 * - `idle`: no valid amount.
 * - `over_balance`: the amount is more than the host says the user has (`balance`); not priced.
 * - `quoting`: asking for prices (the previous figures, if any, stay visible but busy).
 * - `ready`: `quote` is current.
 * - `expired`: the quote outlived its validity and could not be refreshed; `refresh()`.
 * - `error`: no quote; `refresh()` tries again.
 */
export type PayoutQuoteState =
  'no_destination' | 'idle' | 'over_balance' | 'quoting' | 'ready' | 'expired' | 'error'

export interface PayoutQuoteOptions {
  /** Integer cents; `undefined` while the user's input is not an amount. */
  amount: number | undefined
  currency: Currency
  /** `null` when the user has no destination; `undefined` while that is not known yet. */
  destinationId: string | null | undefined
  /** Waits this long after the last change before quoting. Default 350 ms. */
  debounceMs?: number
}

export interface PayoutQuoteResult {
  state: PayoutQuoteState
  /** The latest quote; while `quoting`, possibly for the previous amount. */
  quote: Quote | undefined
  error: ShareflowError | undefined
  /** What the host's ledger says the user may withdraw; `null` when it does not say. */
  balance: Money | null | undefined
  refresh(): void
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(timer)
  }, [value, ms])
  return settled
}

/**
 * Prices every payout speed for an amount: debounced while the user types, refreshed when the
 * quote's validity runs out (counted on this device's clock from the server's `quotedAt` →
 * `expiresAt`, so a skewed clock cannot expire it early or late).
 *
 * @example
 * const { state, quote } = usePayoutQuote({ amount: 25_00, currency: 'USD', destinationId })
 */
export function usePayoutQuote(options: PayoutQuoteOptions): PayoutQuoteResult {
  const { amount, currency, destinationId, debounceMs = 350 } = options
  const { client, queryClient } = useShareflow('usePayoutQuote')
  const settled = useDebounced(amount, debounceMs)
  // Known before any price is asked for, so an amount above it says so while it is typed.
  const balance = useQuery(balanceQuery(client, currency), queryClient).data
  const over = (cents: number | undefined) => !!balance && cents! > balance.cents
  const query = useQuery(
    quoteQuery(client, destinationId, currency, over(settled) ? undefined : settled),
    queryClient,
  )

  const expiresAt = query.data ? query.dataUpdatedAt + quoteValidityMs(query.data) : 0
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!expiresAt) return
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, expiresAt - Date.now()) + 50)
    return () => clearTimeout(timer)
  }, [expiresAt])

  const expired = query.data !== undefined && !query.isPlaceholderData && now >= expiresAt
  const state: PayoutQuoteState =
    destinationId === null
      ? 'no_destination'
      : amount === undefined || amount <= 0
        ? 'idle'
        : over(amount)
          ? 'over_balance'
          : !destinationId ||
              amount !== settled ||
              query.isPlaceholderData ||
              (query.isFetching && !query.data)
            ? 'quoting'
            : query.isError && (!query.data || expired)
              ? query.data
                ? 'expired'
                : 'error'
              : expired && !query.isFetching
                ? 'expired'
                : query.data
                  ? 'ready'
                  : 'quoting'

  return {
    state,
    quote: query.data,
    error: query.error ? asShareflowError(query.error) : undefined,
    balance,
    refresh: () => {
      setNow(Date.now())
      void query.refetch()
    },
  }
}
