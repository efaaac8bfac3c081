'use client'

/**
 * The user's payouts so far, as its own entry (`@shareflow/react/history`): a payee who only cashes
 * out never downloads it.
 *
 * @example
 * import { PayoutHistory } from '@shareflow/react/history'
 * <ShareflowProvider baseUrl="/api/shareflow"><PayoutHistory /></ShareflowProvider>
 */
export { PayoutHistory, type PayoutHistoryProps } from './payout-history'
export { usePayouts, type PayoutsResult, type PayoutsState } from './use-payouts'
export { historyEn } from './messages'
