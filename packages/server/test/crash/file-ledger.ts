/**
 * The crash test's host ledger: what a real host keeps in its database, as an append-only file.
 * Each operation appends one JSON line and `fsync`s before it returns, so a SIGKILL never takes
 * back a debit the BFF was told about; the state is the replay of the lines. Like any ledger that
 * takes orders from outside, it moves money at most once per payout id, however often it is asked.
 *
 * It also counts every call it receives (one line each), so the test can see how often a hook was
 * repeated after a kill.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import type { Currency, Money } from '@shareflow/contract'
import type { AuthorizePayoutResult, PayoutHostLedger } from '../../src/payouts/host-ledger'

type Line =
  | { op: 'boot' }
  | { op: 'open'; userId: string; amount: Money }
  | { op: 'call'; hook: 'authorize' | 'settle' | 'reverse'; payoutId: string }
  | { op: 'debit'; userId: string; payoutId: string; amount: Money }
  | { op: 'refuse'; payoutId: string }
  | { op: 'settle'; payoutId: string }
  | { op: 'reverse'; payoutId: string }

export interface LedgerState {
  balances: Map<string, number>
  entries: Map<string, { userId: string; amount: Money; state: 'debited' | 'settled' | 'reversed' }>
  refusals: Set<string>
  /** Every hook call, with the life (`boot` count) of the process that made it. */
  calls: Array<{ hook: 'authorize' | 'settle' | 'reverse'; payoutId: string; boot: number }>
  boots: number
}

export const balanceKey = (userId: string, currency: Currency) => `${userId}/${currency}`

/** Replays the ledger file. A torn last line (a kill mid-append) was never acknowledged; it is skipped. */
export function readLedger(file: string): LedgerState {
  const state: LedgerState = {
    balances: new Map(),
    entries: new Map(),
    refusals: new Set(),
    calls: [],
    boots: 0,
  }
  if (!existsSync(file)) return state
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text === '') continue
    let line: Line
    try {
      line = JSON.parse(text) as Line
    } catch {
      continue
    }
    apply(state, line)
  }
  return state
}

function apply(state: LedgerState, line: Line): void {
  const add = (userId: string, money: Money, sign: 1 | -1) => {
    const key = balanceKey(userId, money.currency)
    state.balances.set(key, (state.balances.get(key) ?? 0) + sign * money.cents)
  }
  switch (line.op) {
    case 'boot':
      state.boots++
      break
    case 'open':
      add(line.userId, line.amount, 1)
      break
    case 'call':
      state.calls.push({ hook: line.hook, payoutId: line.payoutId, boot: state.boots })
      break
    case 'debit':
      add(line.userId, line.amount, -1)
      state.entries.set(line.payoutId, {
        userId: line.userId,
        amount: line.amount,
        state: 'debited',
      })
      break
    case 'refuse':
      state.refusals.add(line.payoutId)
      break
    case 'settle':
      state.entries.get(line.payoutId)!.state = 'settled'
      break
    case 'reverse': {
      const entry = state.entries.get(line.payoutId)!
      entry.state = 'reversed'
      add(entry.userId, entry.amount, 1)
      break
    }
  }
}

export interface FileLedgerOptions {
  file: string
  /** Credited once, when the file is new. */
  opening: Array<{ userId: string; amount: Money }>
  /** Called after an operation is durable and before it returns (the test's crash points). */
  afterCommit?: (hook: 'authorize' | 'settle' | 'reverse', payoutId: string) => Promise<void> | void
}

export function openFileLedger({
  file,
  opening,
  afterCommit,
}: FileLedgerOptions): PayoutHostLedger {
  const fresh = !existsSync(file)
  const state = readLedger(file)
  const fd = openSync(file, 'a')
  const append = (line: Line) => {
    writeSync(fd, `${JSON.stringify(line)}\n`)
    fsyncSync(fd)
    apply(state, line)
  }
  if (fresh) for (const { userId, amount } of opening) append({ op: 'open', userId, amount })
  append({ op: 'boot' })
  process.once('exit', () => closeSync(fd))

  return {
    async authorizePayout({ user, amount, payoutId }): Promise<AuthorizePayoutResult> {
      append({ op: 'call', hook: 'authorize', payoutId })
      let result: AuthorizePayoutResult
      if (state.entries.has(payoutId)) {
        result = { ok: true }
      } else if (state.refusals.has(payoutId)) {
        result = { ok: false, reason: 'Your balance is too low for this withdrawal.' }
      } else if ((state.balances.get(balanceKey(user.id, amount.currency)) ?? 0) < amount.cents) {
        append({ op: 'refuse', payoutId })
        result = { ok: false, reason: 'Your balance is too low for this withdrawal.' }
      } else {
        append({ op: 'debit', userId: user.id, payoutId, amount })
        result = { ok: true }
      }
      await afterCommit?.('authorize', payoutId)
      return result
    },
    async settlePayout({ payoutId }) {
      append({ op: 'call', hook: 'settle', payoutId })
      if (state.entries.get(payoutId)?.state === 'debited') append({ op: 'settle', payoutId })
      await afterCommit?.('settle', payoutId)
    },
    async reversePayout({ payoutId }) {
      append({ op: 'call', hook: 'reverse', payoutId })
      if (state.entries.get(payoutId)?.state === 'debited') append({ op: 'reverse', payoutId })
      await afterCommit?.('reverse', payoutId)
    },
  }
}
