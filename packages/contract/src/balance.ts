import { z } from 'zod'
import { Currency, Money } from './money'

/** `GET /balance?currency=`: which of the user's balances to read. */
export const BalanceQuery = z.strictObject({ currency: Currency })
export type BalanceQuery = z.infer<typeof BalanceQuery>

/**
 * What the user may withdraw now, as the host's ledger says (its `availableBalance` hook), so an
 * amount above it is refused before it is priced. `null` when the host does not tell: the host's
 * debit (`authorizePayout`) is then the only check.
 */
export const Balance = z.strictObject({ available: Money.nullable() })
export type Balance = z.infer<typeof Balance>
