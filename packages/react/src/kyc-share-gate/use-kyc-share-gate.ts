import type { InquiryLink, KycStatus, Session } from '@shareflow/contract'
import { useEffect, useRef, useState } from 'react'
import { useMutation } from '@tanstack/react-query'
import { retryDelayMs, type ShareflowError } from '../errors'
import type { LiveStatus } from '../event-stream'
import { applyKyc } from '../cache-updates'
import { useShareflow } from '../provider'
import { keys } from '../queries'
import { asShareflowError, useShareflowSession } from '../session/use-shareflow-session'
import { useLatest } from '../use-latest'
import { actionErrorOf, gateStateOf, type KycGateState } from './gate-state'

/**
 * Where Persona's window stands, as far as this page can tell, while the user is `in_progress`:
 * - `open`: the gate opened it and it is still open;
 * - `closed`: the gate opened it and the user closed it before finishing (pressing Exit in
 *   Persona's flow, then closing the tab, say: Persona's hosted flow sends nothing back for an
 *   exit, and `redirect-uri` is only followed once the inquiry is completed or failed);
 * - `blocked`: the browser refused to open it (`window.open` answered `null`): `inquiryLink` opens
 *   it from a link the user clicks instead;
 * - `unknown`: this page did not open it (the page was reloaded, or the host's `openInquiry` did).
 */
export type PersonaWindow = 'open' | 'closed' | 'blocked' | 'unknown'

export interface KycShareGateOptions {
  /** Called once each time the gate becomes `approved` (also when it mounts already approved). */
  onVerified?(session: Session): void
  onStateChange?(state: KycGateState): void
  /**
   * Where Persona's one-time link opens: a new `tab` (default) or a `popup` window. Pass
   * `openInquiry` instead to open it yourself (e.g. an embedded Persona client).
   */
  inquiryWindow?: 'tab' | 'popup'
  openInquiry?(link: InquiryLink): void
  /**
   * While a vendor reviews the user, how often to ask the BFF to look again, for the outcomes
   * no webhook announces (Coinflow asking for more details). Default 15 s.
   */
  recheckMs?: number
}

export interface KycShareGateController {
  state: KycGateState
  session: Session | undefined
  kyc: KycStatus | undefined
  error: ShareflowError | undefined
  liveStatus: LiveStatus
  /** See `PersonaWindow`. */
  personaWindow: PersonaWindow
  /** Persona's one-time link, when the browser blocked the window for it (`blocked`). */
  inquiryLink: string | undefined
  /** The user opened `inquiryLink` themselves (a link's click, which no blocker stops). */
  openedInquiryLink(): void
  /** Creates (or resumes) the Persona inquiry and opens it. */
  startVerification(): void
  /** Shares the completed inquiry with Coinflow. The gate does this by itself when due. */
  share(): void
  /** Repeats whatever failed. */
  retry(): void
}

/**
 * An action is tried again by itself only when the BFF said when (`Retry-After`): it kept the
 * user's place in a vendor's queue, so the screen stays on "opening" or "sharing" instead of an
 * error. Anything else waits for the user's own retry.
 */
const comeBackWhenTold = {
  // Only `rate_limited` and `upstream_unavailable` carry one: both are worth trying again.
  retry: (failures: number, error: unknown) =>
    failures < 10 && !!(error as ShareflowError).retryAfterSeconds,
  retryDelay: retryDelayMs,
}

/**
 * Opens a window in the click's own task, before the one-time link exists, so popup blockers let
 * it through; it is pointed at the link once the BFF answers. `opener` is cut first, so Persona's
 * page cannot reach back into this one.
 */
function openBlankWindow(kind: 'tab' | 'popup'): Window | null {
  if (typeof window === 'undefined') return null
  const opened = window.open('', '_blank', kind === 'popup' ? 'popup,width=480,height=760' : '')
  if (opened) opened.opener = null
  return opened
}

/**
 * The KYC share gate as state: what to show, and the actions that move it on. Shares the user's
 * completed inquiry with Coinflow by itself when the session says it is due.
 *
 * @example
 * const gate = useKycShareGate({ onVerified: () => track('verified') })
 * if (gate.state === 'start') return <button onClick={gate.startVerification}>Verify</button>
 */
export function useKycShareGate(options: KycShareGateOptions = {}): KycShareGateController {
  const { client, queryClient } = useShareflow('useKycShareGate')
  const recheckMs = options.recheckMs ?? 15_000
  const {
    session,
    error: sessionError,
    liveStatus,
    refetch,
  } = useShareflowSession({
    refetchInterval: (current) => current?.kyc.nextAction === 'wait' && recheckMs,
  })
  const latest = useLatest(options)
  const [persona, setPersona] = useState<{ window: PersonaWindow; link?: string }>({
    window: 'unknown',
  })
  const personaTab = useRef<Window | null>(null)

  // The answers carry the new KYC status, so the session needs no second read; an event that
  // got here first with a later status wins.
  const setKyc = (kyc: KycStatus) => applyKyc(queryClient, client, kyc)

  const inquiry = useMutation(
    {
      mutationFn: (_target: Window | null) => client.startInquiry(),
      ...comeBackWhenTold,
      onSuccess: (link, target) => {
        setKyc(link.kyc)
        personaTab.current = target
        if (latest.current.openInquiry) {
          target?.close()
          personaTab.current = null
          setPersona({ window: 'unknown' })
          latest.current.openInquiry(link)
        } else if (target) {
          target.location.href = link.oneTimeLink
          setPersona({ window: 'open' })
        } else {
          // Blocked in the click itself, it would be blocked now too: the user opens it instead.
          setPersona({ window: 'blocked', link: link.oneTimeLink })
        }
      },
      onError: (_error, target) => target?.close(),
    },
    queryClient,
  )

  const sharing = useMutation(
    {
      mutationFn: () => client.share(),
      ...comeBackWhenTold,
      onSuccess: setKyc,
      // The BFF recorded why; the session now says what the user can do next.
      onError: () => void queryClient.invalidateQueries({ queryKey: keys.session(client) }),
    },
    queryClient,
  )

  const kyc = session?.kyc
  const shareNow = sharing.mutate
  // Share by itself once per KYC update that asks for it (a ref, so StrictMode's second effect
  // run does not share twice).
  const sharedFor = useRef<string | undefined>(undefined)
  const shareInFlight = sharing.isPending
  useEffect(() => {
    if (kyc?.nextAction !== 'share' || shareInFlight || sharedFor.current === kyc.updatedAt) return
    sharedFor.current = kyc.updatedAt
    shareNow()
  }, [kyc, shareNow, shareInFlight])

  const actionError = actionErrorOf(inquiry.error ?? sharing.error)
  const state = gateStateOf({
    opening: inquiry.isPending,
    sharing: sharing.isPending,
    actionFailed: !!actionError,
    kyc,
    sessionFailed: !!sessionError,
  })

  // A closed window is readable across origins: looking twice a second is how this page learns
  // the user left Persona, which tells it nothing.
  const watchTab = state === 'in_progress' && persona.window === 'open'
  useEffect(() => {
    if (!watchTab) return
    const timer = setInterval(() => {
      if (personaTab.current?.closed) {
        personaTab.current = null
        setPersona({ window: 'closed' })
      }
    }, 500)
    return () => clearInterval(timer)
  }, [watchTab])

  const previous = useRef<KycGateState | undefined>(undefined)
  useEffect(() => {
    if (previous.current === state) return
    previous.current = state
    latest.current.onStateChange?.(state)
    if (state === 'approved' && session) latest.current.onVerified?.(session)
  }, [state, session, latest])

  const startVerification = () => {
    if (inquiry.isPending) return
    sharing.reset()
    inquiry.mutate(
      latest.current.openInquiry ? null : openBlankWindow(latest.current.inquiryWindow ?? 'tab'),
    )
  }

  return {
    state,
    session,
    kyc,
    error: actionError ? asShareflowError(actionError) : sessionError,
    liveStatus,
    personaWindow: state === 'in_progress' ? persona.window : 'unknown',
    inquiryLink: persona.link,
    openedInquiryLink: () => setPersona({ window: 'open' }),
    startVerification,
    share: () => {
      inquiry.reset()
      sharing.mutate()
    },
    retry: () => {
      if (inquiry.error) startVerification()
      else if (sharing.error) {
        sharing.reset()
        sharing.mutate()
      } else refetch()
    },
  }
}
