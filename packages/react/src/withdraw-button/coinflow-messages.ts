import type { CoinflowBrowserSession } from '@shareflow/contract'
import { useEffect, useRef } from 'react'
import type { CoinflowTheme } from './coinflow-theme'

/** What a linked or abandoned account reports (`info` of Coinflow's message). */
export interface CoinflowLinkInfo {
  /** `bank`, `card`, `iban`, `pix`, … */
  type?: string
  /** For `accountNotLinked`: `canceled` or `failed`. */
  reason?: string
}

/**
 * What the kit hands the component that shows Coinflow's withdraw / bank-authentication page:
 * `CoinflowWithdrawFrame` (the default) or `CoinflowSdkWithdraw` (the official SDK, lazily loaded).
 */
export interface CoinflowLinkProps {
  session: CoinflowBrowserSession
  /** Read from the kit's CSS variables when the page opens and whenever the theme changes. */
  theme: Partial<CoinflowTheme>
  /** The iframe's accessible name, in the provider's language. */
  title: string
  loadingLabel: string
  onLoad?(): void
  onLinked(info: CoinflowLinkInfo): void
  onNotLinked?(info: CoinflowLinkInfo): void
}

export interface CoinflowMessageHandlers {
  onLoad?(): void
  onHeight?(pixels: number): void
  onLinked?(info: CoinflowLinkInfo): void
  onNotLinked?(info: CoinflowLinkInfo): void
}

/**
 * Listens to Coinflow's page: JSON strings `{ method, data, info }` posted by the framed page.
 * A message counts only if it comes from exactly `origin` (the session's Coinflow origin) and from
 * the frame itself; anything else on the window is ignored.
 *
 * @see https://docs.coinflow.cash/guides/payouts/bank-auth
 */
export function useCoinflowMessages(
  origin: string,
  heightId: string,
  frame: () => Window | null | undefined,
  handlers: CoinflowMessageHandlers,
): void {
  // The latest callbacks, without re-subscribing on each render. (Not `useLatest`: this module
  // loads with Coinflow's page and shares nothing with the kit's entry, see coinflow-theme.ts.)
  const latest = useRef({ frame, handlers })
  useEffect(() => {
    latest.current = { frame, handlers }
  })
  useEffect(() => {
    const trusted = new URL(origin).origin
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== trusted || event.source !== latest.current.frame()) return
      if (typeof event.data !== 'string') return
      let message: { method?: unknown; data?: unknown; info?: CoinflowLinkInfo }
      try {
        message = JSON.parse(event.data)
      } catch {
        // Coinflow's older recipe posts the bare word.
        message = { method: event.data }
      }
      const { onLoad, onHeight, onLinked, onNotLinked } = latest.current.handlers
      const info = message.info ?? {}
      if (message.method === 'loaded') onLoad?.()
      else if (message.method === `heightChange:${heightId}`) {
        const pixels = Number.parseFloat(String(message.data))
        if (pixels > 0) onHeight?.(Math.ceil(pixels))
      } else if (message.method === 'accountLinked' || message.data === 'accountLinked') {
        onLinked?.(info)
      } else if (message.method === 'accountNotLinked') onNotLinked?.(info)
    }
    window.addEventListener('message', onMessage)
    return () => window.removeEventListener('message', onMessage)
  }, [origin, heightId, latest])
}

/**
 * The URL of Coinflow's hosted withdraw page for a session-key (merchant-paid) withdrawer, built
 * as `@coinflowlabs/react` builds it.
 */
export function coinflowWithdrawUrl(
  session: CoinflowBrowserSession,
  options: { heightId: string; theme?: string; linkRedirect?: string },
): string {
  const url = new URL(`/solana/withdraw/${encodeURIComponent(session.merchantId)}`, session.origin)
  url.searchParams.set('sessionKey', session.sessionKey)
  url.searchParams.set('useHeightChange', options.heightId)
  if (options.linkRedirect) url.searchParams.set('bankAccountLinkRedirect', options.linkRedirect)
  if (options.theme) url.searchParams.set('theme', options.theme)
  return url.href
}
