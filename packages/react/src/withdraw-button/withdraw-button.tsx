import { lazy, Suspense, useId, type ComponentType } from 'react'
import { formatMoney } from '../format'
import { fill } from '../messages'
import { useShareflow, useThemeRoot } from '../provider'
import { cx, ErrorDetails, Heading, LiveRegion, Spinner, type HeadingLevel } from '../ui'
import type { CoinflowLinkProps } from './coinflow-messages'
import { useWithdraw, type WithdrawOptions } from './use-withdraw'
import type { WithdrawState } from './withdraw-state'

export interface WithdrawButtonProps extends WithdrawOptions {
  /**
   * What shows Coinflow's page when the user has no payout account yet. Defaults to the kit's
   * own frame; pass `CoinflowSdkWithdraw` (from `@shareflow/react/coinflow`) to use Coinflow's
   * official React SDK instead.
   */
  coinflowComponent?: ComponentType<CoinflowLinkProps>
  /** Level of the linking dialog's heading. Defaults to 2. */
  headingLevel?: HeadingLevel
  className?: string
}

// Coinflow's page, its dialog and their helpers load when a user first links an account.
const LinkDialog = lazy(() => import('./link-dialog'))

const busyStates = new Set<WithdrawState>([
  'pricing',
  'preparing',
  'linking',
  'submitting',
  'processing',
])

/**
 * Pays the user out: registers them with Coinflow if needed, lets them link a payout account on
 * Coinflow's page when they have none, submits the payout once however often it is clicked,
 * and shows its progress until Coinflow's webhook settles it.
 *
 * @example
 * <WithdrawButton
 *   amount={{ cents: 25_00, currency: 'USD' }}
 *   speed={speed}
 *   onWithdrawn={(payout) => refreshBalance()}
 * />
 */
export function WithdrawButton(props: WithdrawButtonProps) {
  const { coinflowComponent, headingLevel = 2 } = props
  const { locale, messages: m, appearance } = useShareflow('WithdrawButton')
  const withdraw = useWithdraw(props)
  const { state, payout, error, coinflow, terms, retrying } = withdraw
  const theme = useThemeRoot<HTMLDivElement>(appearance)

  const amount = props.amount ? formatMoney(props.amount, locale) : undefined
  const labels: Partial<Record<WithdrawState, string>> = {
    needs_destination: m.withdrawLink,
    pricing: m.quoteLoading,
    preparing: m.withdrawPreparing,
    linking: m.withdrawLinking,
    submitting: m.withdrawSubmitting,
    processing: m.withdrawSubmitting,
    // Says what a retry sends: the payout that may have reached the BFF, not the form's.
    error: retrying
      ? fill(m.retryAmount, { amount: formatMoney(retrying.amount, locale) })
      : m.retry,
    succeeded: m.withdrawAgain,
    failed: m.withdrawAgain,
  }
  // A changed price is not a failure to retry: the press pays at the fresh fee shown below.
  const priceChanged = state === 'error' && error?.code === 'quote_changed'
  const label =
    (priceChanged ? undefined : labels[state]) ??
    (amount ? fill(m.withdraw, { amount }) : m.withdrawPlain)
  // What the press confirms, beside it: the fee and what arrives, as quoted for this amount.
  const confirms =
    terms && (state === 'ready' || priceChanged)
      ? // As the quote's card says it.
        `${fill(m.quoteFee, { fee: formatMoney(terms.fee, locale) })} · ${fill(m.quoteReceive, {
          amount: formatMoney(terms.receive, locale),
        })}`
      : ''
  const status =
    state === 'processing' && payout
      ? fill(m.withdrawProcessing, { amount: formatMoney(payout.amount, locale) })
      : state === 'succeeded' && payout
        ? fill(m.withdrawSucceeded, {
            amount: formatMoney(payout.amount, locale),
            speed: m[`speed_${payout.effectiveSpeed ?? payout.speed}`],
          })
        : state === 'failed'
          ? payout?.failureReason
            ? fill(m.withdrawFailed, { reason: payout.failureReason })
            : m.withdrawFailedUnknown
          : state === 'unavailable' && !props.speed && props.amount
            ? m.withdrawChooseSpeed
            : confirms
  const inactive = state === 'unavailable' || busyStates.has(state)
  const statusId = useId()
  const dialogHeadingId = useId()

  return (
    <div {...theme} className={cx('sf-withdraw', props.className)} data-state={state}>
      {/* The button stays while the payout is on its way (inactive), so focus is never dropped
          on <body>: it says "New payout" once the payout settles. */}
      <button
        type="button"
        className="sf-button"
        aria-disabled={inactive}
        aria-busy={busyStates.has(state)}
        aria-describedby={status ? statusId : undefined}
        onClick={() => {
          if (inactive) return
          if (state === 'error') withdraw.retry()
          else if (state === 'succeeded' || state === 'failed') withdraw.reset()
          else withdraw.withdraw()
        }}
      >
        {busyStates.has(state) && <Spinner />}
        {label}
      </button>
      {status && (
        <p className="sf-status" id={statusId}>
          {status}
        </p>
      )}
      {state === 'error' && error && (
        <div className="sf-error">
          <ErrorDetails error={error} messages={m} />
        </div>
      )}
      {state === 'linking' && coinflow && (
        <Suspense fallback={<Spinner />}>
          <LinkDialog
            heading={(text) => (
              <Heading level={headingLevel} id={dialogHeadingId}>
                {text}
              </Heading>
            )}
            headingId={dialogHeadingId}
            messages={m}
            Coinflow={coinflowComponent}
            onClose={withdraw.cancelLinking}
            session={coinflow}
            appearance={appearance}
            onLinked={withdraw.accountLinked}
            onNotLinked={withdraw.cancelLinking}
          />
        </Suspense>
      )}
      <LiveRegion
        message={
          // A changed price announces the fresh fee, which is what the next press pays.
          status || (state === 'error' && error ? m[`error_${error.code}`] : '')
        }
      />
    </div>
  )
}
