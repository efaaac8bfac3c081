/**
 * Payout ids and the Coinflow idempotency key derived from them. The key is a UUIDv4 (what
 * Coinflow suggests) spelled from the same 128 random bits as the id, so it is fixed the moment
 * the payout exists, the same on every retry and after every restart, and a Withdraw webhook that
 * echoes it leads straight back to the payout.
 *
 * Web Standards only.
 */

const PREFIX = 'po_'

/** A new payout id: `po_` and 32 hex digits (a UUIDv4 without dashes). */
export function newPayoutId(): string {
  return `${PREFIX}${crypto.randomUUID().replaceAll('-', '')}`
}

/** The idempotency key Coinflow sees for payout `id`. */
export function coinflowKeyFor(id: string): string {
  const hex = id.slice(PREFIX.length)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The payout id behind a Coinflow idempotency key, or `null` for a key we did not make. */
export function payoutIdFromCoinflowKey(key: string): string | null {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key))
    return null
  return `${PREFIX}${key.replaceAll('-', '')}`
}

/** Whether `value` could be a payout id (checked before it is used in a store key). */
export const isPayoutId = (value: string): boolean => /^po_[0-9a-f]{32}$/.test(value)
