import type { Currency, Destination, Quote, QuoteOption, Speed } from '@shareflow/contract'
import {
  formatAmountInput,
  formatDateTime,
  formatMoney,
  formatRelative,
  parseAmount,
} from '../format'
import { useEffect, useId, useState } from 'react'
import { fill } from '../messages'
import { useShareflow, useThemeRoot } from '../provider'
import { useShareflowSession } from '../session/use-shareflow-session'
import { cx, ErrorDetails, LiveRegion, Spinner } from '../ui'
import { useControllableState } from '../use-controllable'
import { useLatest } from '../use-latest'
import { usePayoutQuote, type PayoutQuoteState } from './use-payout-quote'

export interface PayoutQuoteProps {
  /** Amount in integer cents, controlled. Without `onAmountChange` the amount field is hidden. */
  amount?: number
  /** Starting amount in cents when the component keeps the amount itself. */
  defaultAmount?: number
  onAmountChange?(cents: number | undefined): void
  /** Defaults to the destination's currency. */
  currency?: Currency
  /** A destination or its id; defaults to the user's first linked one (in `currency`, if given). */
  destination?: Destination | string
  /** The selected speed, controlled. */
  value?: Speed
  defaultValue?: Speed
  onValueChange?(speed: Speed): void
  /** Called with the selected option whenever it or its figures change (a refresh re-prices). */
  onSelect?(option: QuoteOption, quote: Quote): void
  onStateChange?(state: PayoutQuoteState): void
  debounceMs?: number
  className?: string
}

/**
 * The destination to pay to: the one given, else the first linked one in `currency`; `null` when
 * there is none, `undefined` while the session is still loading.
 */
export function useResolvedDestination(
  destination: Destination | string | undefined,
  currency: Currency | undefined,
): Destination | null | undefined {
  const { session } = useShareflowSession()
  if (typeof destination === 'object') return destination
  if (!session) return undefined
  const found = session.destinations.find((d) =>
    destination ? d.id === destination : !currency || d.currency === currency,
  )
  return found ?? null
}

/**
 * Every payout speed for an amount, as an accessible radio group: fee, what the user receives,
 * expected delivery (relative and absolute), and why a speed is unavailable. Debounces typing and
 * refreshes a quote that outlived its validity.
 *
 * @example
 * <PayoutQuote defaultAmount={50_00} currency="USD" onSelect={(option) => setSpeed(option.speed)} />
 */
export function PayoutQuote(props: PayoutQuoteProps) {
  const { locale, messages: m, appearance } = useShareflow('PayoutQuote')
  const destination = useResolvedDestination(props.destination, props.currency)
  const currency = props.currency ?? destination?.currency ?? 'USD'
  const [amount, setAmount] = useControllableState(
    props.amount,
    props.defaultAmount,
    props.onAmountChange,
  )
  const showAmountField = props.amount === undefined || props.onAmountChange !== undefined
  const [text, setText] = useState(() =>
    amount === undefined ? '' : formatAmountInput(amount, currency, locale),
  )
  const parsed = parseAmount(text, currency, locale)
  // A controlled amount changed from outside: show it.
  useEffect(() => {
    if (amount !== undefined && amount !== parsed)
      setText(formatAmountInput(amount, currency, locale))
    // Only outside changes of `amount` matter here, not each keystroke.
  }, [amount])

  const quoted = usePayoutQuote({
    amount: showAmountField ? parsed : amount,
    currency,
    destinationId: destination === null ? null : destination?.id,
    debounceMs: props.debounceMs,
  })
  // Without a session there is no destination to quote to: its error is the quote's.
  const session = useShareflowSession()
  const { state, quote, error, refresh, balance } =
    destination === undefined && session.state === 'error'
      ? { ...quoted, state: 'error' as const, error: session.error, refresh: session.refetch }
      : quoted
  const [speed, setSpeed] = useControllableState(
    props.value,
    props.defaultValue,
    props.onValueChange,
  )
  const options = quote?.options ?? []
  const selected = options.find((o) => o.speed === speed && o.available)
  const firstAvailable = options.find((o) => o.available)

  // Uncontrolled: keep a valid choice, picking the first available speed when there is none.
  useEffect(() => {
    if (props.value === undefined && !selected && firstAvailable) setSpeed(firstAvailable.speed)
  })

  const latest = useLatest(props)
  useEffect(() => {
    if (selected && quote && state === 'ready') latest.current.onSelect?.(selected, quote)
  }, [selected, quote, state, latest])
  useEffect(() => {
    latest.current.onStateChange?.(state)
  }, [state, latest])

  const id = useId()
  const theme = useThemeRoot<HTMLDivElement>(appearance)
  const invalid = text.trim() !== '' && parsed === undefined
  const quotedAt = quote ? Date.parse(quote.quotedAt) : 0
  const notice =
    state === 'no_destination'
      ? m.quoteNoDestination
      : state === 'over_balance'
        ? fill(m.amountOverBalance, { balance: formatMoney(balance!, locale) })
        : state === 'idle'
          ? m.quoteIdle
          : state === 'expired'
            ? m.quoteExpired
            : state === 'quoting'
              ? m.quoteLoading
              : ''

  return (
    <div {...theme} className={cx('sf-quote', props.className)} data-state={state}>
      {showAmountField && (
        <div className="sf-field">
          <label htmlFor={`${id}-amount`} className="sf-label">
            {m.amountLabel} ({currency})
          </label>
          <input
            id={`${id}-amount`}
            className="sf-input"
            inputMode="decimal"
            autoComplete="off"
            value={text}
            aria-invalid={invalid || state === 'over_balance'}
            aria-describedby={
              invalid ? `${id}-amount-error` : state === 'over_balance' ? `${id}-notice` : undefined
            }
            onChange={(event) => {
              setText(event.target.value)
              setAmount(parseAmount(event.target.value, currency, locale)!)
            }}
          />
          {invalid && (
            <p id={`${id}-amount-error`} className="sf-field-error">
              {fill(m.amountInvalid, { currency })}
            </p>
          )}
        </div>
      )}
      {state === 'error' && error && <ErrorDetails error={error} messages={m} />}
      {notice && (state !== 'quoting' || options.length === 0) && (
        <p id={`${id}-notice`} className="sf-body">
          {state === 'quoting' && <Spinner />} {notice}
        </p>
      )}
      {(state === 'error' || state === 'expired') && (
        <button type="button" className="sf-button sf-secondary" onClick={refresh}>
          {state === 'error' ? m.retry : m.quoteRefresh}
        </button>
      )}
      {options.length > 0 && (state === 'quoting' || state === 'ready' || state === 'expired') && (
        <fieldset
          className="sf-options"
          aria-busy={state === 'quoting'}
          disabled={state === 'expired'}
        >
          <legend className="sf-label">{m.speedLegend}</legend>
          {options.map((option) => {
            const optionId = `${id}-${option.speed}`
            return (
              <label
                key={option.speed}
                className="sf-option"
                data-speed={option.speed}
                data-available={option.available}
                data-selected={option === selected}
              >
                <input
                  type="radio"
                  className="sf-radio"
                  name={`${id}-speed`}
                  value={option.speed}
                  checked={option === selected}
                  disabled={!option.available}
                  onChange={() => setSpeed(option.speed)}
                  aria-labelledby={`${optionId}-name`}
                  aria-describedby={`${optionId}-details`}
                />
                <span id={`${optionId}-name`} className="sf-option-name">
                  {m[`speed_${option.speed}`]}
                </span>
                <span id={`${optionId}-details`} className="sf-option-details">
                  {option.available ? (
                    <>
                      {fill(m.quoteFee, { fee: formatMoney(option.fee, locale) })} ·{' '}
                      <strong>
                        {fill(m.quoteReceive, { amount: formatMoney(option.receive, locale) })}
                      </strong>{' '}
                      ·{' '}
                      {fill(m.quoteArrives, {
                        relative: formatRelative(option.expectedDeliveryAt, quotedAt, locale),
                      })}{' '}
                      (
                      <time dateTime={option.expectedDeliveryAt}>
                        {formatDateTime(option.expectedDeliveryAt, locale)}
                      </time>
                      )
                      {option.effectiveSpeed !== option.speed &&
                        ` · ${fill(m.quoteSentAs, { speed: m[`speed_${option.effectiveSpeed}`] })}`}
                    </>
                  ) : (
                    fill(m[`unavailable_${option.unavailableReason ?? 'not_supported'}`], {
                      limit: formatMoney(option.limit, locale),
                    })
                  )}
                </span>
              </label>
            )
          })}
        </fieldset>
      )}
      <LiveRegion message={state === 'error' && error ? m[`error_${error.code}`] : notice} />
    </div>
  )
}
