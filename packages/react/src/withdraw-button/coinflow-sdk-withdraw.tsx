import { lazy, Suspense, useEffect, useRef, type ComponentType } from 'react'
import { Spinner } from '../ui'
import { useCoinflowMessages, type CoinflowLinkProps } from './coinflow-messages'

// Loaded on first render, never at import: the SDK is 131 kB gzip or more and an optional peer.
const SdkWithdraw = lazy(() =>
  import('@coinflowlabs/react').then((sdk) => ({
    // The SDK types a withdrawer as a wallet; a session-key withdrawer has none, which the SDK
    // accepts at runtime (it renders the same hosted page the kit frames).
    default: sdk.CoinflowWithdraw as unknown as ComponentType<Record<string, unknown>>,
  })),
)

/**
 * Renders Coinflow's official `CoinflowWithdraw` (from `@coinflowlabs/react`, installed by the
 * host) instead of the kit's own frame. Pass it to `<WithdrawButton coinflowComponent>`.
 *
 * The SDK statically imports `@solana/web3.js` and `bs58`: install them, or alias both to empty
 * modules in your bundler when you pay out to bank accounts only.
 *
 * @example
 * <WithdrawButton coinflowComponent={CoinflowSdkWithdraw} amount={amount} speed={speed} />
 */
export function CoinflowSdkWithdraw(props: CoinflowLinkProps) {
  const { session, theme, title, loadingLabel } = props
  const container = useRef<HTMLDivElement>(null)
  const frame = () => container.current?.querySelector('iframe')

  // The SDK hard-codes the iframe title "withdraw"; give it the localised one.
  useEffect(() => {
    const root = container.current!
    const name = () => frame()?.setAttribute('title', title)
    name()
    const observer = new MutationObserver(name)
    observer.observe(root, { childList: true, subtree: true })
    return () => observer.disconnect()
  }, [title])

  // The SDK handles height itself (`handleHeightChange` below) but has no callback for linking
  // in its withdraw component, so the kit listens too, with the same origin check.
  useCoinflowMessages(session.origin, '', () => frame()?.contentWindow, {
    onLoad: props.onLoad,
    onLinked: props.onLinked,
    onNotLinked: props.onNotLinked,
  })

  return (
    <div ref={container} className="sf-frame sf-frame-sdk">
      <Suspense
        fallback={
          <p className="sf-body">
            <Spinner /> {loadingLabel}
          </p>
        }
      >
        <SdkWithdraw
          merchantId={session.merchantId}
          env={session.env}
          sessionKey={session.sessionKey}
          theme={theme}
          handleHeightChange={(height: string) => {
            // CSSOM, not a style attribute: allowed under a strict Content-Security-Policy.
            const pixels = Number.parseFloat(height)
            if (container.current && pixels > 0) container.current.style.height = `${pixels}px`
          }}
        />
      </Suspense>
    </div>
  )
}
