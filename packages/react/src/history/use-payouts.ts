import type { Payout, PayoutList } from '@shareflow/contract'
import { browserRoutes as routes } from '@shareflow/contract'
import { useInfiniteQuery, type InfiniteData } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { ShareflowError } from '../errors'
// Through the kit's entry, not '../provider': the bundler then keeps the code both entries use
// in the entry's own file instead of a chunk the two share, which cost every payee 37 B gzip up
// front (one more set of React imports) even where no page shows the history.
import { useShareflow } from '../index'
import { keys, newerPayout } from '../queries'

/**
 * - `loading`: the first page is on its way.
 * - `empty`: the user has no payouts yet.
 * - `ready`: `payouts` holds the newest ones, kept current as they change.
 * - `error`: the first page could not be read; `refetch()`.
 */
export type PayoutsState = 'loading' | 'empty' | 'ready' | 'error'

export interface PayoutsResult {
  state: PayoutsState
  /** Newest first; each payout as it is now (pushed over the event stream). */
  payouts: Payout[]
  error: ShareflowError | undefined
  /** Whether older payouts are left to read with `loadMore()`. */
  hasMore: boolean
  loadingMore: boolean
  loadMore(): void
  refetch(): void
}

type Pages = InfiniteData<PayoutList, string | undefined>

/** The user's payouts so far: `GET /payouts`, a page at a time, newest first. */
export function usePayouts(): PayoutsResult {
  const { client, queryClient } = useShareflow('usePayouts')
  const queryKey = [...keys.all(client), 'payouts'] as const
  const query = useInfiniteQuery(
    {
      queryKey,
      queryFn: ({ pageParam, signal }) =>
        client.request(
          'PayoutList',
          routes.payouts + (pageParam ? `?before=${encodeURIComponent(pageParam)}` : ''),
          { signal },
        ),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor,
    },
    queryClient,
  )

  // Live while shown: a payout that changes is updated where it is listed (never taken back
  // to an older state by a late event), and one the list has not seen yet re-reads it.
  useEffect(
    () =>
      client.subscribe({
        onEvent: (event) => {
          if (event.type !== 'payout.updated') return
          const fresh = event.payout
          const pages = queryClient.getQueryData<Pages>(queryKey)
          const listed = pages?.pages.some((page) => page.payouts.some((p) => p.id === fresh.id))
          if (!pages || !listed) {
            void queryClient.invalidateQueries({ queryKey })
            return
          }
          queryClient.setQueryData<Pages>(queryKey, {
            ...pages,
            pages: pages.pages.map((page) => ({
              ...page,
              payouts: page.payouts.map((p) => (p.id === fresh.id ? newerPayout(p, fresh) : p)),
            })),
          })
        },
        poll: () => queryClient.invalidateQueries({ queryKey }),
      }),
    // `queryKey` is built from `client`.
    [client, queryClient],
  )

  const payouts = query.data?.pages.flatMap((page) => page.payouts) ?? []
  return {
    state: query.isPending
      ? 'loading'
      : query.isError && !query.data
        ? 'error'
        : payouts.length === 0
          ? 'empty'
          : 'ready',
    payouts,
    error: (query.error as ShareflowError | null) ?? undefined,
    hasMore: query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
    refetch: () => void query.refetch(),
  }
}
