import type { Currency, Money } from '@shareflow/contract'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
// Types only: the page shares the server's vocabulary, never its code.
import type { Journey, PlayerCountry } from '../server/players'

/** The demo host's own API (`/api/demo`): players, sign-in and the player's balance. */
export interface Player {
  id: string
  name: string
  handle: string
  country: PlayerCountry
  currency: Currency
  journey: Journey
}

export interface Me {
  player: Player
  balance: Money
}

export class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: {
      Accept: 'application/json',
      ...(init?.body ? { 'Content-Type': 'application/json' } : {}),
    },
  })
  if (!response.ok) throw new HttpError(response.status)
  return (response.status === 204 ? undefined : await response.json()) as T
}

export const meKey = ['demo', 'me'] as const

/** The signed-in player and their balance; `null` when nobody is signed in. */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async () => {
      try {
        return await request<Me>('/api/demo/me')
      } catch (error) {
        if (error instanceof HttpError && error.status === 401) return null
        throw error
      }
    },
  })
}

export function usePlayers(enabled: boolean) {
  return useQuery({
    queryKey: ['demo', 'players'],
    queryFn: () => request<{ players: (Player & { balance: Money })[] }>('/api/demo/players'),
    enabled,
  })
}

export function useSignIn() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (playerId: string) =>
      request('/api/demo/session', { method: 'POST', body: JSON.stringify({ playerId }) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meKey }),
  })
}

export function useSignOut() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: () => request('/api/demo/session', { method: 'DELETE' }),
    // Everything cached belonged to the player who left.
    onSuccess: () => queryClient.resetQueries(),
  })
}
