import type { KycStatus, Payout, Session, ShareflowEvent } from '@shareflow/contract'
import type { QueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { ShareflowClient } from './client'
import type { LiveStatus } from './event-stream'
import { keys, liveQueries, newer, newerPayout } from './queries'

/**
 * Writes one event into the cache. Events can arrive late or out of order (webhooks do), so an
 * update older than what the cache holds is ignored.
 */
export function applyEvent(
  queryClient: QueryClient,
  client: ShareflowClient,
  event: ShareflowEvent,
) {
  switch (event.type) {
    case 'kyc.updated': {
      const session = queryClient.getQueryData<Session>(keys.session(client))
      if (!session || !newer(event.kyc, session.kyc)) return
      // No refetch on approval for the Coinflow session key: it lives 30 minutes at most, so
      // the one place that needs it (linking an account) reads a fresh session anyway.
      queryClient.setQueryData<Session>(keys.session(client), { ...session, kyc: event.kyc })
      return
    }
    case 'payout.updated': {
      // The host's ledger moved (a debit, a return): what the user may withdraw changed.
      void queryClient.invalidateQueries({ queryKey: [...keys.all(client), 'balance'] })
      const key = keys.payout(client, event.payout.id)
      const cached = queryClient.getQueryData<Payout>(key)
      if (newerPayout(cached, event.payout) !== cached) queryClient.setQueryData(key, event.payout)
      return
    }
    case 'destinations.updated':
      void queryClient.invalidateQueries({ queryKey: keys.session(client) })
      return
    default:
      event satisfies never
  }
}

/** Re-reads the kit's live queries (session, payouts) that are on screen. */
const refetchLive = (queryClient: QueryClient, client: ShareflowClient) =>
  queryClient.refetchQueries({ ...liveQueries(client), type: 'active' }, { cancelRefetch: false })

/** Writes a KYC status the BFF answered with into the cached session, unless it holds a newer one. */
export function applyKyc(queryClient: QueryClient, client: ShareflowClient, kyc: KycStatus) {
  applyEvent(queryClient, client, { type: 'kyc.updated', kyc })
}

/** Writes a payout the BFF answered with into the cache, unless it holds a newer view of it. */
export function applyPayout(queryClient: QueryClient, client: ShareflowClient, payout: Payout) {
  applyEvent(queryClient, client, { type: 'payout.updated', payout })
}

/**
 * Keeps the kit's cache current from the user's event stream while `follow` is true (there is
 * something that changes without the user: a review, a payout in flight), polling while the
 * stream is down. A verified user with nothing in flight opens no stream at all, so the first
 * render costs one request. Returns how updates currently arrive (`idle` while not following).
 */
export function useLiveUpdates(
  client: ShareflowClient,
  queryClient: QueryClient,
  follow: boolean,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('idle')
  useEffect(() => {
    if (!follow) return
    const unsubscribe = client.subscribe({
      onEvent: (event) => applyEvent(queryClient, client, event),
      poll: () => refetchLive(queryClient, client),
      onStatusChange: setStatus,
    })
    return () => {
      unsubscribe()
      setStatus('idle')
    }
  }, [client, queryClient, follow])
  return status
}
