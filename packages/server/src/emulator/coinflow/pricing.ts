/**
 * The emulator's fee, limit, FX and delivery tables for Coinflow payouts. Real fees are set in
 * each merchant's agreement with Coinflow, so these are plausible, documented stand-ins (see the
 * table in README.md); what matters is that they are stable, so tests and stories can rely on them.
 *
 * @see https://docs.coinflow.cash/guides/payouts/payout-speeds
 */

export const WITHDRAW_SPEEDS = [
  'asap',
  'same_day',
  'standard',
  'card',
  'iban',
  'pix',
  'eft',
  'venmo',
  'paypal',
  'wire',
  'interac',
] as const
export type WithdrawSpeed = (typeof WITHDRAW_SPEEDS)[number]

export type SettlementCurrency = 'USD' | 'EUR' | 'GBP' | 'BRL' | 'CAD'

export interface SpeedTerms {
  /** Fixed part of the fee, in USD cents. */
  flatCents: number
  /** Variable part, in basis points of the amount. */
  percentBps: number
  /** The fee is never below this, in USD cents. */
  minimumFeeCents: number
  /** Largest single payout at this speed, in USD cents. */
  limitCents: number
  /** Business days until the money lands; 0 means within minutes. */
  businessDays: number
  /** What the emulator takes to report `Withdraw Success`, in emulator-clock milliseconds. */
  settleAfterMs: number
  /** The rail, reported as the withdrawal's `provider`. */
  provider: string
}

/** NACHA's per-payment cap for Same Day ACH; above it Coinflow sends Standard ACH instead. */
export const SAME_DAY_ACH_LIMIT_CENTS = 1_000_000_00

export const SPEED_TERMS: Record<WithdrawSpeed, SpeedTerms> = {
  asap: {
    flatCents: 1_00,
    percentBps: 50,
    minimumFeeCents: 1_00,
    limitCents: 100_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'rtp',
  },
  same_day: {
    flatCents: 1_00,
    percentBps: 0,
    minimumFeeCents: 1_00,
    limitCents: SAME_DAY_ACH_LIMIT_CENTS,
    businessDays: 0,
    settleAfterMs: 10_000,
    provider: 'ach',
  },
  standard: {
    flatCents: 25,
    percentBps: 0,
    minimumFeeCents: 25,
    limitCents: 10_000_000_00,
    businessDays: 2,
    settleAfterMs: 30_000,
    provider: 'ach',
  },
  card: {
    flatCents: 0,
    percentBps: 150,
    minimumFeeCents: 50,
    limitCents: 10_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'push-to-card',
  },
  iban: {
    flatCents: 2_00,
    percentBps: 0,
    minimumFeeCents: 2_00,
    limitCents: 100_000_00,
    businessDays: 1,
    settleAfterMs: 5_000,
    provider: 'sepa',
  },
  pix: {
    flatCents: 0,
    percentBps: 50,
    minimumFeeCents: 20,
    limitCents: 50_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'pix',
  },
  eft: {
    flatCents: 1_50,
    percentBps: 0,
    minimumFeeCents: 1_50,
    limitCents: 25_000_00,
    businessDays: 2,
    settleAfterMs: 30_000,
    provider: 'eft',
  },
  venmo: {
    flatCents: 0,
    percentBps: 175,
    minimumFeeCents: 25,
    limitCents: 5_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'venmo',
  },
  paypal: {
    flatCents: 0,
    percentBps: 175,
    minimumFeeCents: 25,
    limitCents: 10_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'paypal',
  },
  wire: {
    flatCents: 25_00,
    percentBps: 0,
    minimumFeeCents: 25_00,
    limitCents: 10_000_000_00,
    businessDays: 1,
    settleAfterMs: 10_000,
    provider: 'wire',
  },
  interac: {
    flatCents: 1_50,
    percentBps: 0,
    minimumFeeCents: 1_50,
    limitCents: 10_000_00,
    businessDays: 0,
    settleAfterMs: 2_000,
    provider: 'interac',
  },
}

/** Units of each currency per US dollar; fixed so quotes are reproducible. */
export const USD_EXCHANGE_RATES: Record<SettlementCurrency, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  BRL: 5.4,
  CAD: 1.37,
}

/** The user-paid fee for `amountCents` (USD) at `speed`, in USD cents. */
export function feeCents(speed: WithdrawSpeed, amountCents: number): number {
  const terms = SPEED_TERMS[speed]
  const variable = Math.round((amountCents * terms.percentBps) / 10_000)
  return Math.max(terms.minimumFeeCents, terms.flatCents + variable)
}

/** Converts USD cents to cents of `currency` at the emulator's fixed rate. */
export function convertFromUsd(cents: number, currency: SettlementCurrency): number {
  return Math.round(cents * USD_EXCHANGE_RATES[currency])
}

/**
 * When money sent now at `speed` lands: `businessDays` business days later, skipping Saturdays
 * and Sundays (bank holidays are not modelled), or now for instant rails.
 */
export function expectedDelivery(speed: WithdrawSpeed, nowMs: number): Date {
  let date = new Date(nowMs)
  let remaining = SPEED_TERMS[speed].businessDays
  while (remaining > 0) {
    date = new Date(date.getTime() + 86_400_000)
    const day = date.getUTCDay()
    if (day !== 0 && day !== 6) remaining--
  }
  return date
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** `Tue, Nov 24, 2026`: the display form of `expectedDeliveryDate`, independent of the locale. */
export function displayDate(date: Date): string {
  return `${WEEKDAYS[date.getUTCDay()]}, ${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`
}
