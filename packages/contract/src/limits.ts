/**
 * The largest amount anyone may quote or pay out, in cents: 10 billion in the currency's major
 * unit. It sits far above any real balance or Coinflow limit, and low enough that every fee,
 * conversion and settlement figure derived from it stays an exact integer in JavaScript (an
 * amount near `Number.MAX_SAFE_INTEGER` times an exchange rate would not), so an absurd amount is
 * refused as bad input instead of surfacing as an unreadable vendor answer.
 *
 * No imports, so the React kit can use it without pulling zod into the browser.
 */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000
