import type { Money } from '@shareflow/contract'
import type { PayoutHostLedger } from '@shareflow/server'
import type { ExampleUser } from './users'

/**
 * The platform's balances, in memory: what the BFF debits when a payout is accepted, and gives
 * back when one fails. Keyed by payout id, so a retried call never debits twice.
 */
export function createLedger(users: readonly ExampleUser[]) {
  const balances = new Map(users.map((user) => [user.id, user.openingBalance.cents]))
  const debited = new Map<string, { userId: string; cents: number; reversed: boolean }>()

  const hooks: PayoutHostLedger = {
    authorizePayout({ user, amount, payoutId }) {
      if (debited.has(payoutId)) return { ok: true }
      const balance = balances.get(user.id) ?? 0
      if (balance < amount.cents) {
        return { ok: false, reason: 'Your balance is too low for this withdrawal.' }
      }
      balances.set(user.id, balance - amount.cents)
      debited.set(payoutId, { userId: user.id, cents: amount.cents, reversed: false })
      return { ok: true }
    },
    settlePayout() {},
    reversePayout({ payoutId }) {
      const debit = debited.get(payoutId)
      if (!debit || debit.reversed) return
      debit.reversed = true
      balances.set(debit.userId, (balances.get(debit.userId) ?? 0) + debit.cents)
    },
  }

  return {
    hooks,
    balanceOf: (user: ExampleUser): Money => ({
      cents: balances.get(user.id) ?? 0,
      currency: user.openingBalance.currency,
    }),
  }
}
