import { useEffect, useId, useRef, useState } from 'react'
import {
  coinflowWithdrawUrl,
  useCoinflowMessages,
  type CoinflowLinkProps,
} from './coinflow-messages'

/**
 * Coinflow's hosted withdraw / bank-authentication page in an iframe the kit draws itself, as
 * Coinflow's Bank Authentication UI guide describes: a few hundred bytes instead of the SDK's
 * 131 kB. The height follows the page's `heightChange` messages through the iframe's `height`
 * attribute (no inline style, so a strict CSP is fine).
 *
 * @see https://docs.coinflow.cash/guides/payouts/bank-auth
 */
export function CoinflowWithdrawFrame(props: CoinflowLinkProps) {
  const { session, theme, title, loadingLabel } = props
  const frame = useRef<HTMLIFrameElement>(null)
  const heightId = useId().replace(/[^a-zA-Z0-9]/g, '')
  const [height, setHeight] = useState<number>()
  const [loaded, setLoaded] = useState(false)
  const [themeParam, setThemeParam] = useState<string>()
  const themeJson = JSON.stringify(theme)

  // Coinflow reads `theme` LZ-compressed; the compressor loads with the frame, not with the kit.
  useEffect(() => {
    let current = true
    void import('./lz-string').then((lz) => {
      if (current) setThemeParam(lz.compressToEncodedURIComponent(themeJson))
    })
    return () => {
      current = false
    }
  }, [themeJson])

  useCoinflowMessages(session.origin, heightId, () => frame.current?.contentWindow, {
    onLoad: () => {
      setLoaded(true)
      props.onLoad?.()
    },
    onHeight: setHeight,
    onLinked: props.onLinked,
    onNotLinked: props.onNotLinked,
  })

  const src =
    themeParam === undefined
      ? undefined
      : coinflowWithdrawUrl(session, {
          heightId,
          theme: themeParam,
          linkRedirect: typeof location === 'undefined' ? undefined : location.href,
        })
  return (
    <div className="sf-frame" data-state={loaded ? 'loaded' : 'loading'}>
      {!loaded && (
        <p className="sf-body">
          {/* The kit's spinner, drawn here: see coinflow-theme.ts for why nothing is imported. */}
          <span className="sf-spinner" aria-hidden="true" /> {loadingLabel}
        </p>
      )}
      {src && (
        <iframe
          ref={frame}
          src={src}
          title={title}
          className="sf-frame-iframe"
          height={height ?? 640}
          allow="payment; camera; clipboard-write; geolocation"
          referrerPolicy="no-referrer"
        />
      )}
    </div>
  )
}
