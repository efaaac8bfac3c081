import type { Session } from '@shareflow/contract'
import { useEffect, useId, useRef, type ReactNode } from 'react'
import type { ShareflowMessages } from '../messages'
import { useShareflow, useThemeRoot } from '../provider'
import {
  cx,
  ErrorDetails,
  Heading,
  LiveRegion,
  Spinner,
  useFocusOnChange,
  type HeadingLevel,
} from '../ui'
import type { KycGateState } from './gate-state'
import {
  useKycShareGate,
  type KycShareGateController,
  type KycShareGateOptions,
} from './use-kyc-share-gate'

type GatedState = Exclude<KycGateState, 'approved'>

export interface KycShareGateProps extends KycShareGateOptions {
  /** Shown once the user is approved. A function receives the session. */
  children?: ReactNode | ((session: Session) => ReactNode)
  /** Replaces the screen of any state; a function receives the gate's state and actions. */
  fallback?: { [S in GatedState]?: ReactNode | ((gate: KycShareGateController) => ReactNode) }
  /** Level of the screens' headings, to fit the host's outline. Defaults to 2. */
  headingLevel?: HeadingLevel
  className?: string
}

/** Each screen's title, body and action label; the compiler checks every state has one. */
const screens: Record<GatedState, (keyof ShareflowMessages | undefined)[]> = {
  loading: ['gateLoading'],
  start: ['gateStartTitle', 'gateStartBody', 'gateStartAction'],
  opening: ['gateStartTitle', 'gateStartBody', 'gateOpening'],
  in_progress: ['gateInProgressTitle', 'gateInProgressBody', 'gateInProgressAction'],
  sharing: ['gateSharingTitle', 'gateSharingBody'],
  pending: ['gatePendingTitle', 'gatePendingBody'],
  needs_more_info: ['gateMoreInfoTitle', 'gateMoreInfoBody'],
  rejected: ['gateRejectedTitle', 'gateRejectedBody'],
  expired: ['gateExpiredTitle', 'gateExpiredBody', 'gateExpiredAction'],
  error: ['errorTitle', undefined, 'retry'],
}

const waiting = new Set<KycGateState>(['loading', 'opening', 'sharing', 'pending'])

function Screen({
  gate,
  messages: m,
}: {
  gate: KycShareGateController
  messages: ShareflowMessages
}) {
  const { state, kyc, error } = gate
  const [, body, action] = screens[state as GatedState]
  return (
    <>
      {waiting.has(state) && state !== 'opening' && <Spinner />}
      {body && <p className="sf-body">{m[body]}</p>}
      {state === 'error' && error && <ErrorDetails error={error} messages={m} />}
      {kyc?.reason && (state === 'start' || state === 'rejected' || state === 'expired') && (
        <p className="sf-detail">{kyc.reason}</p>
      )}
      {state === 'needs_more_info' && kyc?.verificationLink && (
        <a
          className="sf-button"
          href={kyc.verificationLink}
          target="_blank"
          rel="noopener noreferrer"
        >
          {m.gateMoreInfoAction} <span className="sf-hint">{m.opensInNewTab}</span>
        </a>
      )}
      {action && (
        <button
          type="button"
          className={cx('sf-button', state === 'in_progress' && 'sf-secondary')}
          aria-disabled={state === 'opening'}
          onClick={state === 'error' ? gate.retry : gate.startVerification}
        >
          {m[action]}
        </button>
      )}
    </>
  )
}

/**
 * Shows its children only to users who may be paid out. Before that it walks them through
 * Persona's verification and registers them with Coinflow by sharing it, with a clear screen for
 * every state; each can be replaced through `fallback`.
 *
 * @example
 * <KycShareGate onVerified={() => track('kyc_verified')}>
 *   <PayoutQuote defaultAmount={25_00} currency="USD" />
 * </KycShareGate>
 */
export function KycShareGate(props: KycShareGateProps) {
  const { children, fallback, headingLevel = 2, className } = props
  const { messages: m, appearance } = useShareflow('KycShareGate')
  const gate = useKycShareGate(props)
  const theme = useThemeRoot<HTMLDivElement>(appearance)
  const headingRef = useRef<HTMLHeadingElement>(null)
  const titleId = useId()
  const wasGated = useRef(false)
  useFocusOnChange(gate.state, theme.ref, headingRef)
  useEffect(() => {
    if (gate.state !== 'approved') wasGated.current = true
  }, [gate.state])

  if (gate.state === 'approved') {
    return (
      <>
        {typeof children === 'function' ? children(gate.session!) : children}
        {wasGated.current && <LiveRegion message={m.gateApproved} />}
      </>
    )
  }
  const custom = fallback?.[gate.state]
  const title = m[screens[gate.state][0]!]
  return (
    <div
      {...theme}
      className={cx('sf-gate', className)}
      data-state={gate.state}
      aria-busy={waiting.has(gate.state)}
    >
      {custom !== undefined ? (
        typeof custom === 'function' ? (
          custom(gate)
        ) : (
          custom
        )
      ) : (
        <section className="sf-screen" aria-labelledby={titleId}>
          <Heading level={headingLevel} id={titleId} headingRef={headingRef}>
            {title}
          </Heading>
          <Screen gate={gate} messages={m} />
        </section>
      )}
      <LiveRegion message={title} />
    </div>
  )
}
