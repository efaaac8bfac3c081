import type { Currency, Payout, Quote } from '@shareflow/contract'
import {
  keepPreviousData,
  queryOptions,
  replaceEqualDeep,
  type QueryFilters,
} from '@tanstack/react-query'
import type { ShareflowClient } from './client'

/**
 * Every query the kit makes: its key and its options, in one place. Hooks pass these to
 * `useQuery` (adding only what depends on their own props); cache writers (`cache-updates.ts`)
 * address the same keys.
 */

/** Every kit query key starts with this, so hosts sharing a QueryClient can tell them apart. */
export const keys = {
  all: (client: ShareflowClient) => ['shareflow', client.baseUrl] as const,
  session: (client: ShareflowClient) => ['shareflow', client.baseUrl, 'session'] as const,
  balance: (client: ShareflowClient, currency: Currency) =>
    ['shareflow', client.baseUrl, 'balance', currency] as const,
  payout: (client: ShareflowClient, id: string) =>
    ['shareflow', client.baseUrl, 'payout', id] as const,
  quote: (client: ShareflowClient, destinationId: string, currency: string, cents: number) =>
    ['shareflow', client.baseUrl, 'quote', destinationId, currency, cents] as const,
}

/**
 * The kit's queries that follow the event stream (all but quotes, which refresh on their own
 * clock), for a refetch while it is down.
 */
export const liveQueries = (client: ShareflowClient) =>
  ({
    queryKey: keys.all(client),
    predicate: (query) => query.queryKey[2] !== 'quote',
  }) satisfies QueryFilters

/** `GET /session`: the user, their KYC status, destinations and Coinflow session key. */
export const sessionQuery = (client: ShareflowClient) =>
  queryOptions({
    queryKey: keys.session(client),
    queryFn: ({ signal }) => client.getSession({ signal }),
  })

/** `GET /balance`: what the host says the user may withdraw; re-read on every payout event. */
export const balanceQuery = (client: ShareflowClient, currency: Currency) =>
  queryOptions({
    queryKey: keys.balance(client, currency),
    queryFn: ({ signal }) => client.getBalance(currency, { signal }),
  })

/** How long a quote holds, from the server's own timestamps. */
export function quoteValidityMs(quote: Quote | undefined): number {
  if (!quote) return 0
  return Math.max(1_000, Date.parse(quote.expiresAt) - Date.parse(quote.quotedAt))
}

/**
 * `POST /quotes` for an amount: enabled only for a positive amount to a known destination. The
 * previous quote stays shown while the next amount is priced, and a quote is fresh (and refetched)
 * for exactly its validity.
 */
export const quoteQuery = (
  client: ShareflowClient,
  destinationId: string | null | undefined,
  currency: Currency,
  cents: number | undefined,
) =>
  queryOptions({
    queryKey: keys.quote(client, destinationId ?? '', currency, cents ?? 0),
    queryFn: ({ signal }) =>
      client.quote(
        { amount: { cents: cents!, currency }, destinationId: destinationId! },
        { signal },
      ),
    enabled: !!destinationId && cents !== undefined && cents > 0,
    placeholderData: keepPreviousData,
    staleTime: (q) => quoteValidityMs(q.state.data),
    refetchInterval: (q) => quoteValidityMs(q.state.data) || false,
  })

/** Payout states after which nothing more happens to a payout. */
export const settledPayoutStates = new Set<Payout['state']>(['succeeded', 'failed', 'refused'])

/** Whether `a` was updated at or after `b` (or there is no `b`). */
export const newer = (a: { updatedAt: string }, b: { updatedAt: string } | undefined) =>
  !b || Date.parse(a.updatedAt) >= Date.parse(b.updatedAt)

// A payout's states only move forward, so a later state is the newer view whatever the clocks say.
const payoutProgress: Record<Payout['state'], number> = {
  accepted: 0,
  authorized: 1,
  submitted: 2,
  pending: 3,
  succeeded: 4,
  failed: 4,
  refused: 4,
}

/**
 * The newer of two views of one payout. An answer read before an event can arrive after it (a
 * `GET` in flight while the webhook's event is pushed), and must not take the payout back.
 */
export function newerPayout(cached: Payout | undefined, fresh: Payout): Payout {
  if (!cached) return fresh
  const ahead = payoutProgress[fresh.state] - payoutProgress[cached.state]
  if (ahead !== 0) return ahead > 0 ? fresh : cached
  return newer(fresh, cached) ? fresh : cached
}

/** `GET /payouts/:id` while `payoutId` is known. */
export const payoutQuery = (client: ShareflowClient, payoutId: string | undefined) =>
  queryOptions({
    queryKey: keys.payout(client, payoutId ?? ''),
    queryFn: ({ signal }) => client.getPayout(payoutId!, { signal }),
    enabled: payoutId !== undefined,
    // Every write (answers, events, the payout's own response) keeps the newer view, so an
    // answer read before the webhook's event cannot take a settled payout back to pending.
    structuralSharing: (cached, fresh) =>
      replaceEqualDeep(cached, newerPayout(cached as Payout | undefined, fresh as Payout)),
    // Events carry the outcome; this slow look is for one the BFF itself never heard of.
    refetchInterval: (query) =>
      query.state.data && !settledPayoutStates.has(query.state.data.state) && 30_000,
  })
