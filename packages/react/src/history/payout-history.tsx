import type { Payout } from '@shareflow/contract'
import { formatDateTime, formatMoney } from '../format'
import { useShareflow, useThemeRoot } from '../provider'
import { cx, ErrorDetails, LiveRegion, Spinner } from '../ui'
import { historyEn } from './messages'
import { usePayouts } from './use-payouts'

export interface PayoutHistoryProps {
  className?: string
}

/** What the user reads a payout's state as: on its way, paid out, failed, or never sent. */
export const payoutStatus = (state: Payout['state']) =>
  state === 'succeeded' || state === 'failed' || state === 'refused' ? state : 'processing'

/**
 * The user's payouts, newest first: amount, where it went (masked), speed and date in the
 * user's language, its status as it changes, and why a payout failed or was not sent. A refused
 * payout never moved money, so it never says a balance was returned.
 *
 * @example
 * import { PayoutHistory } from '@shareflow/react/history'
 * <PayoutHistory />
 */
export function PayoutHistory(props: PayoutHistoryProps) {
  const { locale, messages, appearance } = useShareflow('PayoutHistory')
  const m = { ...historyEn, ...messages }
  const theme = useThemeRoot<HTMLDivElement>(appearance)
  const { state, payouts, error, hasMore, loadingMore, loadMore, refetch } = usePayouts()
  // The payout that changed last, said once it changes (a screen reader hears it settle).
  const latest = payouts.reduce<Payout | undefined>(
    (last, payout) => (!last || payout.updatedAt > last.updatedAt ? payout : last),
    undefined,
  )
  return (
    <div {...theme} className={cx('sf-history', props.className)} data-state={state}>
      {state === 'loading' && (
        <p className="sf-body">
          <Spinner /> {m.historyLoading}
        </p>
      )}
      {state === 'error' && error && (
        <>
          <ErrorDetails error={error} messages={m} />
          <button type="button" className="sf-button sf-secondary" onClick={refetch}>
            {m.retry}
          </button>
        </>
      )}
      {state === 'empty' && <p className="sf-body">{m.historyEmpty}</p>}
      {payouts.length > 0 && (
        <ul className="sf-history-list">
          {payouts.map((payout) => {
            const status = payoutStatus(payout.state)
            return (
              <li
                key={payout.id}
                className="sf-history-item"
                data-state={status}
                data-payout-id={payout.id}
              >
                <span className="sf-history-amount">{formatMoney(payout.amount, locale)}</span>{' '}
                <span className="sf-history-status">{m[`history_${status}`]}</span>{' '}
                <span className="sf-history-meta">
                  {payout.destination.label} ••{payout.destination.last4} ·{' '}
                  {m[`speed_${payout.effectiveSpeed ?? payout.speed}`]} ·{' '}
                  <time dateTime={payout.createdAt}>
                    {formatDateTime(payout.createdAt, locale)}
                  </time>
                </span>
                {payout.failureReason && status !== 'succeeded' && (
                  <span className="sf-history-reason">{payout.failureReason}</span>
                )}
              </li>
            )
          })}
        </ul>
      )}
      {hasMore && (
        <button
          type="button"
          className="sf-button sf-secondary"
          aria-busy={loadingMore}
          onClick={loadMore}
        >
          {loadingMore && <Spinner />}
          {m.historyMore}
        </button>
      )}
      <LiveRegion
        message={
          latest
            ? `${formatMoney(latest.amount, locale)}: ${m[`history_${payoutStatus(latest.state)}`]}`
            : ''
        }
      />
    </div>
  )
}
