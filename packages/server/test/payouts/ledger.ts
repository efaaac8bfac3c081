/**
 * A host ledger for tests: balances per user and currency, one entry per payout id (so a repeated
 * call never moves money twice, as `host-ledger.ts` asks of every host), and a count of every
 * call, so tests can say "called exactly once".
 */
import type { Currency, Money } from '@shareflow/contract'
import type { AuthorizePayoutResult, PayoutHostLedger } from '../../src/payouts/host-ledger'

type Hook = 'authorize' | 'settle' | 'reverse'

export interface TestLedger extends PayoutHostLedger {
  balance(userId: string, currency: Currency): number
  credit(userId: string, money: Money): void
  /** How many times `hook` was called for `payoutId` (or in total). */
  calls(hook: Hook, payoutId?: string): number
  /** Payout ids per final ledger state. */
  entries(): Map<string, 'debited' | 'settled' | 'reversed'>
  /** Makes the next call of `hook` throw (after doing its work when `afterCommit`). */
  failNext(hook: Hook, options?: { afterCommit?: boolean }): void
}

export function createTestLedger(opening: Record<string, Money[]> = {}): TestLedger {
  const balances = new Map<string, number>()
  const entries = new Map<
    string,
    { userId: string; amount: Money; state: 'debited' | 'settled' | 'reversed' }
  >()
  const calls: Array<{ hook: Hook; payoutId: string }> = []
  const failures = new Map<Hook, { afterCommit: boolean }>()
  const key = (userId: string, currency: Currency) => `${userId}\u0000${currency}`
  const credit = (userId: string, money: Money) =>
    balances.set(
      key(userId, money.currency),
      (balances.get(key(userId, money.currency)) ?? 0) + money.cents,
    )
  for (const [userId, amounts] of Object.entries(opening))
    amounts.forEach((money) => credit(userId, money))

  const run = <T>(hook: Hook, payoutId: string, work: () => T): T => {
    calls.push({ hook, payoutId })
    const failure = failures.get(hook)
    failures.delete(hook)
    if (failure && !failure.afterCommit) throw new Error(`${hook} failed (test)`)
    const result = work()
    if (failure) throw new Error(`${hook} failed after committing (test)`)
    return result
  }

  return {
    authorizePayout({ user, amount, payoutId }): AuthorizePayoutResult {
      return run('authorize', payoutId, () => {
        if (entries.has(payoutId)) return { ok: true }
        const available = balances.get(key(user.id, amount.currency)) ?? 0
        if (available < amount.cents) {
          return { ok: false, reason: 'Your balance is too low for this withdrawal.' }
        }
        balances.set(key(user.id, amount.currency), available - amount.cents)
        entries.set(payoutId, { userId: user.id, amount, state: 'debited' })
        return { ok: true }
      })
    },
    settlePayout({ payoutId }) {
      run('settle', payoutId, () => {
        const entry = entries.get(payoutId)
        if (entry?.state === 'debited') entry.state = 'settled'
      })
    },
    reversePayout({ payoutId }) {
      run('reverse', payoutId, () => {
        const entry = entries.get(payoutId)
        if (entry?.state !== 'debited') return
        entry.state = 'reversed'
        credit(entry.userId, entry.amount)
      })
    },
    balance: (userId, currency) => balances.get(key(userId, currency)) ?? 0,
    credit,
    calls: (hook, payoutId) =>
      calls.filter(
        (call) => call.hook === hook && (payoutId === undefined || call.payoutId === payoutId),
      ).length,
    entries: () => new Map([...entries].map(([id, entry]) => [id, entry.state])),
    failNext(hook, { afterCommit = false } = {}) {
      failures.set(hook, { afterCommit })
    },
  }
}
