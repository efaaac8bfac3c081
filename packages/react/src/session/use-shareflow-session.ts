import type { Session } from '@shareflow/contract'
import { useQuery } from '@tanstack/react-query'
import { ShareflowError } from '../errors'
import type { LiveStatus } from '../event-stream'
import { useLiveUpdates } from '../cache-updates'
import { useShareflow } from '../provider'
import { sessionQuery } from '../queries'

export type ShareflowSessionState = 'loading' | 'ready' | 'error'

export interface ShareflowSessionResult {
  state: ShareflowSessionState
  /** The last good session; kept while a refetch fails. */
  session: Session | undefined
  error: ShareflowError | undefined
  /**
   * How updates arrive: over the event stream (`live`), by `polling` while it is down, or not at
   * all (`idle`) once the user's KYC is final and nothing else is followed.
   */
  liveStatus: LiveStatus
  refetch(): void
}

/** Any thrown value as the kit's one error type (a bug in a callback, say, becomes `internal`). */
export function asShareflowError(error: unknown): ShareflowError {
  if (error instanceof ShareflowError) return error
  return new ShareflowError({
    code: 'internal',
    status: 0,
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  })
}

/** Final KYC states: no review is under way whose outcome the stream would bring. */
const settledKyc = new Set<Session['kyc']['state']>(['approved', 'rejected'])

/**
 * The signed-in user's session (`GET /session`), kept live from the event stream while the
 * user's KYC can still change by itself.
 *
 * @example
 * const { state, session } = useShareflowSession()
 * if (state === 'ready') console.log(session.kyc.state)
 */
export function useShareflowSession(
  options: { refetchInterval?: (session: Session | undefined) => number | false } = {},
): ShareflowSessionResult {
  const { client, queryClient } = useShareflow('useShareflowSession')
  const { refetchInterval } = options
  const query = useQuery(
    {
      ...sessionQuery(client),
      refetchInterval: (query) => refetchInterval?.(query.state.data) ?? false,
    },
    queryClient,
  )
  // A stream opens with a snapshot of the KYC state, so a review that ended before it was up is
  // not missed.
  const kyc = query.data?.kyc.state
  const liveStatus = useLiveUpdates(client, queryClient, kyc !== undefined && !settledKyc.has(kyc))
  const state: ShareflowSessionState = query.data ? 'ready' : query.isError ? 'error' : 'loading'
  return {
    state,
    session: query.data,
    error: query.error ? asShareflowError(query.error) : undefined,
    liveStatus,
    refetch: () => void query.refetch(),
  }
}
