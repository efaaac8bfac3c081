/**
 * Quotes: what each speed a destination allows would cost and deliver, from Coinflow's delegated
 * payout quote. One Coinflow quote answers for every speed, so a destination costs one call; the
 * figures are mapped, never passed through.
 *
 * A typing user asks for a quote per keystroke, so identical concurrent quotes share one Coinflow
 * call and a short cache answers repeats.
 *
 * Web Standards only.
 *
 * @module
 */
import type {
  Destination,
  Money,
  PositiveMoney,
  Quote,
  QuoteOption,
  Speed,
} from '@shareflow/contract'
import { isoAt, type Clock } from '../clock'
import type { CurrencyCents, DelegatedQuote, SpeedQuote } from '../upstream/coinflow'
import type { UpstreamCall, UpstreamCallCounter } from '../upstream/http'

/**
 * NACHA caps a same-day ACH entry at $1,000,000; above it Coinflow sends the payout as standard
 * ACH and reports `effectiveSpeed: 'standard'`, so the quote shows standard's figures.
 */
export const SAME_DAY_ACH_MAX_CENTS = 1_000_000_00

/** The speed Coinflow will actually use for `speed` and `amount`. */
export function effectiveSpeedFor(speed: Speed, amount: PositiveMoney): Speed {
  return speed === 'same_day' && amount.cents > SAME_DAY_ACH_MAX_CENTS ? 'standard' : speed
}

/**
 * Coinflow money in the payout's currency. Coinflow prices fees and limits in its wallet's
 * currency (USD) and echoes the amount as it priced it (`quote`); the ratio of our amount to that
 * echo converts them back. Fees round up and limits down, so neither is ever shown in the user's
 * favour. `null` when there is no way to convert.
 */
function inPayoutCurrency(
  value: CurrencyCents,
  vendorQuote: DelegatedQuote,
  amount: PositiveMoney,
  round: (x: number) => number,
): Money | null {
  if (value.currency === amount.currency) {
    return { cents: Math.max(0, value.cents), currency: amount.currency }
  }
  const echo = vendorQuote.quote
  if (value.currency !== echo.currency || echo.cents <= 0) return null
  return {
    cents: Math.max(0, round((value.cents * amount.cents) / echo.cents)),
    currency: amount.currency,
  }
}

function deliveryAt(figures: SpeedQuote, quotedAt: number): string {
  for (const text of [figures.expectedDeliveryDateISO, figures.expectedDeliveryDate]) {
    const ms = text === null ? Number.NaN : Date.parse(text)
    if (Number.isFinite(ms)) return isoAt(ms)
  }
  return isoAt(quotedAt)
}

/** One speed's option; unavailable (with the reason) when the amount can't go that way. */
export function toQuoteOption(
  vendorQuote: DelegatedQuote,
  speed: Speed,
  amount: PositiveMoney,
  quotedAt: number,
): QuoteOption {
  const effectiveSpeed = effectiveSpeedFor(speed, amount)
  const figures = vendorQuote[effectiveSpeed]
  const convertedFee = figures && inPayoutCurrency(figures.fee, vendorQuote, amount, Math.ceil)
  const limit = figures && inPayoutCurrency(figures.limit, vendorQuote, amount, Math.floor)
  if (!figures || !convertedFee || !limit) {
    const zero = { cents: 0, currency: amount.currency }
    return {
      speed,
      effectiveSpeed,
      available: false,
      unavailableReason: 'not_supported',
      fee: zero,
      receive: zero,
      limit: zero,
      expectedDeliveryAt: isoAt(quotedAt),
    }
  }
  // What lands is Coinflow's final settlement (already in the destination's currency, which is
  // the payout's); failing that, the amount less the fee.
  const settled = figures.finalSettlement.currency === amount.currency
  const receive: Money = settled
    ? { cents: Math.max(0, figures.finalSettlement.cents), currency: amount.currency }
    : { cents: Math.max(0, amount.cents - convertedFee.cents), currency: amount.currency }
  // After a conversion the fee shown is everything the user does not receive (Coinflow's fee and
  // the conversion's rounding), so amount = fee + receive holds on screen.
  const fee: Money =
    settled && figures.fee.currency !== amount.currency
      ? { cents: Math.max(0, amount.cents - receive.cents), currency: amount.currency }
      : convertedFee
  const unavailableReason =
    amount.cents > limit.cents
      ? ('over_limit' as const)
      : fee.cents >= amount.cents
        ? ('fee_exceeds_amount' as const)
        : undefined
  return {
    speed,
    effectiveSpeed,
    available: unavailableReason === undefined,
    ...(unavailableReason ? { unavailableReason } : {}),
    fee,
    receive,
    limit,
    expectedDeliveryAt: deliveryAt(figures, quotedAt),
  }
}

/** Coinflow's quote as the contract's `Quote`: one option per speed the destination allows. */
export function toQuote(input: {
  vendorQuote: DelegatedQuote
  destination: Destination
  amount: PositiveMoney
  quotedAt: number
  validForMs: number
}): Quote {
  const { vendorQuote, destination, amount, quotedAt, validForMs } = input
  return {
    amount,
    destinationId: destination.id,
    options: destination.speeds.map((speed) => toQuoteOption(vendorQuote, speed, amount, quotedAt)),
    quotedAt: isoAt(quotedAt),
    expiresAt: isoAt(quotedAt + validForMs),
  }
}

export interface FetchQuoteInput {
  userId: string
  /** Coinflow account token (the destination id). */
  account: string
  speed: Speed
  amount: PositiveMoney
}

export interface QuoteServiceOptions {
  /** Coinflow's delegated payout quote, counted on `calls`. */
  fetchQuote(input: FetchQuoteInput, calls?: UpstreamCallCounter): Promise<DelegatedQuote>
  clock: Clock
  /** How long an identical quote is answered from memory. Default 5 s. */
  cacheMs?: number
  /** How long the browser may show a quote before asking again (`expiresAt`). Default 30 s. */
  validForMs?: number
  /** Cache entries kept at most (oldest dropped first). Default 1000. */
  maxCacheEntries?: number
}

/** A quote, and what Coinflow must be asked to pay out to honour it. */
export interface PricedQuote {
  quote: Quote
  /** The amount in the merchant wallet's currency, sent to Coinflow as the payout amount. */
  coinflowAmount: { cents: number; currency: typeof WALLET_CURRENCY }
}

export interface QuoteService {
  /**
   * A quote for `amount` to one of the user's destinations (already checked to be theirs). The
   * Coinflow calls it makes count on `calls`; one it joined (the same quote already being asked
   * for) counts there as a join, and a cached answer counts nowhere.
   */
  quote(
    userId: string,
    destination: Destination,
    amount: PositiveMoney,
    calls?: UpstreamCallCounter,
  ): Promise<PricedQuote>
}

/**
 * Coinflow pays delegated payouts from the merchant's wallet, which holds US dollars: amounts it
 * is asked for are dollars, and IBAN and PIX payouts are converted on the way out.
 */
export const WALLET_CURRENCY = 'USD' as const

// A round amount whose quote reveals Coinflow's rate for a destination's currency.
const RATE_PROBE_CENTS = 100_00

/**
 * Coinflow's rate from wallet dollars to the destination's currency, read off a quote as a
 * fraction: what settles in that currency for what the probe leaves after the (dollar) fee.
 */
function rateOf(
  vendorQuote: DelegatedQuote,
  speed: Speed,
  currency: string,
): { settled: number; dollars: number } | null {
  const figures = vendorQuote[speed]
  if (!figures || figures.finalSettlement.currency !== currency) return null
  const dollars = vendorQuote.quote.cents - figures.fee.cents
  if (dollars <= 0 || figures.finalSettlement.cents <= 0) return null
  return { settled: figures.finalSettlement.cents, dollars }
}

export function createQuoteService({
  fetchQuote,
  clock,
  cacheMs = 5_000,
  validForMs = 30_000,
  maxCacheEntries = 1_000,
}: QuoteServiceOptions): QuoteService {
  const cache = new Map<string, { value: unknown; freshUntil: number }>()
  /** Each computation under way, with the Coinflow calls it has made so far. */
  const inflight = new Map<string, { pending: Promise<unknown>; made: UpstreamCall[] }>()

  /**
   * `compute` once per `key` at a time, and its answer reused for `cacheMs`; failures are not
   * kept. Its Coinflow calls count on the `calls` of the request that started it; a request that
   * joins it hears of them as joins, once it has the answer, as it would from the HTTP client.
   */
  function shared<T>(
    key: string,
    calls: UpstreamCallCounter | undefined,
    compute: (calls: UpstreamCallCounter) => Promise<T>,
  ): Promise<T> {
    const cached = cache.get(key)
    if (cached && cached.freshUntil > clock.now()) return Promise.resolve(cached.value as T)
    const joined = inflight.get(key)
    if (joined) {
      const reportJoins = () => {
        for (const call of joined.made) calls?.record({ ...call, attempts: 0, coalesced: true })
      }
      return (joined.pending as Promise<T>).then(
        (value) => {
          reportJoins()
          return value
        },
        (error: unknown) => {
          reportJoins()
          throw error
        },
      )
    }
    const made: UpstreamCall[] = []
    const counting: UpstreamCallCounter = {
      record(call) {
        made.push(call)
        calls?.record(call)
      },
    }
    const pending = compute(counting).then((value) => {
      cache.delete(key)
      cache.set(key, { value, freshUntil: clock.now() + cacheMs })
      for (const oldest of cache.keys()) {
        if (cache.size <= maxCacheEntries) break
        cache.delete(oldest)
      }
      return value
    })
    inflight.set(key, { pending, made })
    const forget = () => inflight.delete(key)
    pending.then(forget, forget)
    return pending
  }

  /** The wallet amount that pays `amount` out in the destination's currency. */
  async function walletAmount(
    userId: string,
    destination: Destination,
    amount: PositiveMoney,
    speed: Speed,
    calls: UpstreamCallCounter,
  ) {
    if (amount.currency === WALLET_CURRENCY) return amount.cents
    const key = JSON.stringify(['rate', userId, destination.id, speed])
    const rate = await shared(key, calls, async (counting) => {
      const probe = await fetchQuote(
        {
          userId,
          account: destination.id,
          speed,
          amount: { cents: RATE_PROBE_CENTS, currency: WALLET_CURRENCY },
        },
        counting,
      )
      return rateOf(probe, speed, amount.currency)
    })
    // No rate means Coinflow cannot pay this currency here; quoting the plain number lets the
    // mapping mark every speed unsupported rather than invent a conversion.
    if (rate === null) return amount.cents
    // In whole numbers (BigInt: cents × cents can pass 2^53), rounded down: never more dollars
    // than the amount the host debits is worth.
    const cents = (BigInt(amount.cents) * BigInt(rate.dollars)) / BigInt(rate.settled)
    return Math.max(1, Number(cents))
  }

  return {
    quote(userId, destination, amount, calls) {
      const speed = destination.speeds[0]
      if (speed === undefined) {
        return Promise.reject(new Error('A destination with no payout speeds cannot be quoted'))
      }
      // Speeds are part of the key: a destination whose speeds changed is a different question.
      const key = JSON.stringify(['quote', userId, destination.id, destination.speeds, amount])
      return shared(key, calls, async (counting): Promise<PricedQuote> => {
        const cents = await walletAmount(userId, destination, amount, speed, counting)
        const coinflowAmount = { cents, currency: WALLET_CURRENCY }
        const vendorQuote = await fetchQuote(
          { userId, account: destination.id, speed, amount: coinflowAmount },
          counting,
        )
        const quote = toQuote({
          vendorQuote,
          destination,
          amount,
          quotedAt: clock.now(),
          validForMs,
        })
        return { quote, coinflowAmount }
      })
    },
  }
}
