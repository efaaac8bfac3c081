/**
 * The user's payout destinations as the browser sees them: Coinflow's linked accounts (US bank,
 * debit card, IBAN, PIX), masked to a label and last four characters, with the currency each pays
 * out in and the speeds it allows. Coinflow's account token is the destination id. Looked up per
 * request (briefly cached) to check that a destination id really is the user's.
 *
 * Web Standards only.
 *
 * @module
 */
import { Currency, type Destination, type Speed } from '@shareflow/contract'
import type { Clock } from '../clock'
import { ApiError } from '../errors'
import type { CoinflowAccounts } from '../upstream/coinflow'
import type { UpstreamCallCounter } from '../upstream/http'

/** Speeds per destination type (Coinflow's payout speeds guide). */
export const speedsByType = {
  /** RTP, same-day ACH, standard ACH. */
  bank_account: ['asap', 'same_day', 'standard'],
  card: ['card'],
  /** SEPA (EUR) or UK Faster Payments (GBP). */
  iban: ['iban'],
  pix: ['pix'],
} as const satisfies Record<Destination['type'], readonly Speed[]>

const cardBrands: Record<string, string> = {
  VISA: 'Visa',
  MSTR: 'Mastercard',
  AMEX: 'American Express',
  DISC: 'Discover',
}

const last4 = (value: string) => value.slice(-4)

/**
 * Maps a withdrawer's linked accounts (deleted ones already dropped) to destinations, skipping
 * cards in a currency the kit does not pay out in.
 */
export function toDestinations(accounts: CoinflowAccounts): Destination[] {
  const destinations: Destination[] = accounts.bankAccounts.map((bank) => ({
    id: bank.token,
    type: 'bank_account',
    label: bank.alias || 'Bank account',
    last4: last4(bank.last4),
    currency: 'USD',
    speeds: [...speedsByType.bank_account],
  }))
  for (const card of accounts.cards) {
    const currency = Currency.safeParse(card.currency ?? 'USD')
    if (!currency.success) continue
    destinations.push({
      id: card.token,
      type: 'card',
      label: cardBrands[card.type] ?? 'Debit card',
      last4: last4(card.last4),
      currency: currency.data,
      // A card the networks won't push funds to is still listed, so the user sees why.
      speeds: card.disbursementStatus === 'Ineligible' ? [] : [...speedsByType.card],
    })
  }
  for (const iban of accounts.ibans) {
    // UK accounts carry a sort code and pay out in pounds; the rest are SEPA in euros.
    const uk = Boolean(iban.sortCode)
    destinations.push({
      id: iban.token,
      type: 'iban',
      label: iban.alias || (uk ? 'UK bank account' : 'IBAN'),
      last4: last4(iban.last4),
      currency: uk ? 'GBP' : 'EUR',
      speeds: [...speedsByType.iban],
    })
  }
  for (const pix of accounts.pixes) {
    // Only the last four characters of the key leave this function.
    destinations.push({
      id: pix.token,
      type: 'pix',
      label: 'PIX',
      last4: last4(pix.key),
      currency: 'BRL',
      speeds: [...speedsByType.pix],
    })
  }
  return destinations
}

export interface DestinationBookOptions {
  /** The user's withdrawer with its linked accounts, from Coinflow, counted on `calls`. */
  fetchAccounts(userId: string, calls?: UpstreamCallCounter): Promise<CoinflowAccounts>
  clock: Clock
  /** How long one user's list is reused (quotes and payouts check ownership on each request). Default 5 s. */
  cacheMs?: number
}

/**
 * The user's destinations with a short per-instance cache, emptied when this instance links or
 * unlinks one. `calls` is the counter of the request asking: a Coinflow call counts on it, a
 * cached answer counts nowhere.
 */
export interface DestinationBook {
  list(userId: string, calls?: UpstreamCallCounter): Promise<Destination[]>
  /** The user's destination `id`; `destination_not_found` when it is not one of theirs. */
  find(userId: string, id: string, calls?: UpstreamCallCounter): Promise<Destination>
  forget(userId: string): void
}

const MAX_CACHED_USERS = 10_000

export function createDestinationBook({
  fetchAccounts,
  clock,
  cacheMs = 5_000,
}: DestinationBookOptions): DestinationBook {
  const cache = new Map<string, { destinations: Destination[]; freshUntil: number }>()
  const list = async (userId: string, calls?: UpstreamCallCounter) => {
    const cached = cache.get(userId)
    if (cached && cached.freshUntil > clock.now()) return cached.destinations
    const destinations = toDestinations(await fetchAccounts(userId, calls))
    cache.delete(userId)
    cache.set(userId, { destinations, freshUntil: clock.now() + cacheMs })
    // Oldest first out, so a burst of distinct users can't grow the cache without bound.
    for (const oldest of cache.keys()) {
      if (cache.size <= MAX_CACHED_USERS) break
      cache.delete(oldest)
    }
    return destinations
  }
  return {
    list,
    async find(userId, id, calls) {
      const destination = (await list(userId, calls)).find((candidate) => candidate.id === id)
      if (!destination) {
        throw new ApiError(
          'destination_not_found',
          'That payout destination is not linked to your account.',
        )
      }
      return destination
    },
    forget: (userId) => void cache.delete(userId),
  }
}
