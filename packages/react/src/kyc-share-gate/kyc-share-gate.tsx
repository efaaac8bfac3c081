import type { Session } from '@shareflow/contract'
import { lazy, Suspense, useEffect, useId, useRef, type ReactNode } from 'react'
import type { en, GateText } from '../messages'
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
  /**
   * Where a user Persona or Coinflow declined gets help (your support page, or a `mailto:`): the
   * declined screen links to it. Without it, that screen only says to contact support.
   */
  supportUrl?: string
  /** Level of the screens' headings, to fit the host's outline. Defaults to 2. */
  headingLevel?: HeadingLevel
  className?: string
}

/**
 * Each screen's title (drawn before the screen's chunk loads, so one of `en`'s), body and action
 * label; the compiler checks every state has one.
 */
const screens: Record<GatedState, [title: keyof typeof en, body?: GateText, action?: GateText]> = {
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

// The verification screens load when a user first needs one: a verified payee goes from
// `loading` straight to `approved`.
const GateScreen = lazy(() => import('./gate-screen'))

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
  const title = m[screens[gate.state][0]]
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
          {gate.state === 'loading' ? (
            <Spinner />
          ) : (
            <Suspense fallback={<Spinner />}>
              <GateScreen
                gate={gate}
                messages={m}
                body={screens[gate.state][1]}
                action={screens[gate.state][2]}
                supportUrl={props.supportUrl}
                errorDetails={gate.error && <ErrorDetails error={gate.error} messages={m} />}
              />
            </Suspense>
          )}
        </section>
      )}
      <LiveRegion message={title} />
    </div>
  )
}
