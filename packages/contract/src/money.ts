import { z } from 'zod'
import { MAX_AMOUNT_CENTS } from './limits'

/** Currencies a Shareflow payout can be paid in: US bank and card (USD), IBAN (EUR, GBP), PIX (BRL). */
export const Currency = z.enum(['USD', 'EUR', 'GBP', 'BRL'])
export type Currency = z.infer<typeof Currency>

/**
 * Money on the wire: integer minor units (cents) with a currency, never a float.
 * Mirrors Coinflow's `CurrencyCents`, but the currency is always required.
 *
 * @example { cents: 12_50, currency: 'USD' } // $12.50
 */
export const Money = z.strictObject({
  cents: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: Currency,
})
export type Money = z.infer<typeof Money>

/** A positive amount a user asks to quote or pay out, at most `MAX_AMOUNT_CENTS`. */
export const PositiveMoney = z.strictObject({
  cents: z.int().min(1).max(MAX_AMOUNT_CENTS),
  currency: Currency,
})
export type PositiveMoney = z.infer<typeof PositiveMoney>
