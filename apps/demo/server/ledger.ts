import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import type { Currency, Money } from '@shareflow/contract'
import type { PayoutHostLedger } from '@shareflow/server'

/**
 * The demo platform's own ledger of player balances: what a real host keeps in its database.
 * Shareflow calls into it through the payout hooks; it is written to disk (temp file + fsync +
 * rename) before a call returns, so a killed server never forgets a debit.
 *
 * Each payout id is debited at most once, whatever the caller does: a host ledger should not
 * trust anyone, including Shareflow, to call it exactly once.
 *
 * The file is the ledger, as a database would be: every call reads it afresh, so a server
 * restarted in the same process (the e2e tests do) never works from a stale copy that an
 * earlier instance's late settle has since changed.
 */
export interface LedgerEntry {
  payoutId: string
  playerId: string
  amount: Money
  state: 'debited' | 'settled' | 'reversed'
  createdAt: string
  updatedAt: string
  /** Why a reversed payout failed, as the player reads it. */
  reason?: string
}

interface LedgerFile {
  balances: Record<string, Partial<Record<Currency, number>>>
  entries: Record<string, LedgerEntry>
}

export type AuthorizeResult = { ok: true } | { ok: false; reason: string }

export class DemoLedger {
  #file: string
  #now: () => number

  constructor(file: string, openingBalances: Record<string, Money>, now: () => number = Date.now) {
    this.#file = file
    this.#now = now
    const data = this.#read()
    for (const [playerId, money] of Object.entries(openingBalances)) {
      data.balances[playerId] ??= { [money.currency]: money.cents }
    }
    this.#write(data)
  }

  #read(): LedgerFile {
    try {
      return JSON.parse(readFileSync(this.#file, 'utf8')) as LedgerFile
    } catch {
      return { balances: {}, entries: {} }
    }
  }

  #write(data: LedgerFile): void {
    mkdirSync(path.dirname(this.#file), { recursive: true })
    const temp = `${this.#file}.${process.pid}.tmp`
    const fd = openSync(temp, 'w')
    try {
      writeSync(fd, JSON.stringify(data))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, this.#file)
  }

  balance(playerId: string, currency: Currency): Money {
    return { cents: this.#read().balances[playerId]?.[currency] ?? 0, currency }
  }

  /** The player's payout debits, newest first. */
  entries(playerId: string): LedgerEntry[] {
    return Object.values(this.#read().entries)
      .filter((entry) => entry.playerId === playerId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  }

  /** Debits the balance for a payout, once per payout id. */
  authorize(playerId: string, payoutId: string, amount: Money): AuthorizeResult {
    const data = this.#read()
    if (data.entries[payoutId]) return { ok: true }
    const balances = (data.balances[playerId] ??= {})
    const available = balances[amount.currency] ?? 0
    if (available < amount.cents) {
      return { ok: false, reason: 'Your balance is too low for this withdrawal.' }
    }
    balances[amount.currency] = available - amount.cents
    const at = new Date(this.#now()).toISOString()
    data.entries[payoutId] = {
      payoutId,
      playerId,
      amount,
      state: 'debited',
      createdAt: at,
      updatedAt: at,
    }
    this.#write(data)
    return { ok: true }
  }

  /** Marks a debited payout as paid out; the money has left for good. */
  settle(payoutId: string): void {
    const data = this.#read()
    const entry = data.entries[payoutId]
    if (!entry || entry.state !== 'debited') return
    entry.state = 'settled'
    entry.updatedAt = new Date(this.#now()).toISOString()
    this.#write(data)
  }

  /** Returns a failed payout's amount to the player, once. */
  reverse(payoutId: string, reason?: string): void {
    const data = this.#read()
    const entry = data.entries[payoutId]
    if (!entry || entry.state !== 'debited') return
    const balances = (data.balances[entry.playerId] ??= {})
    balances[entry.amount.currency] = (balances[entry.amount.currency] ?? 0) + entry.amount.cents
    entry.state = 'reversed'
    entry.updatedAt = new Date(this.#now()).toISOString()
    if (reason) entry.reason = reason
    this.#write(data)
  }
}

/**
 * The ledger as Shareflow's payout hooks: debit before paying, settle or give back after, and the
 * balance to show an amount against before it is priced.
 */
export function payoutHooks(ledger: DemoLedger): PayoutHostLedger {
  return {
    authorizePayout: ({ user, payoutId, amount }) => ledger.authorize(user.id, payoutId, amount),
    settlePayout: ({ payoutId }) => ledger.settle(payoutId),
    reversePayout: ({ payoutId, reason }) => ledger.reverse(payoutId, reason),
    availableBalance: ({ user, currency }) => ledger.balance(user.id, currency),
  }
}
