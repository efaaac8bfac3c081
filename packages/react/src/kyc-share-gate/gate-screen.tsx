import type { ReactNode } from 'react'
import type { GateText, ResolvedMessages } from '../messages'
import { gateScreenEn } from './gate-messages'
import type { KycShareGateController, PersonaWindow } from './use-kyc-share-gate'
import type { KycGateState } from './gate-state'

export interface GateScreenProps {
  gate: KycShareGateController
  messages: ResolvedMessages
  /** The body message of the screen, if it has one. */
  body: GateText | undefined
  /** The action's label, if the screen has one. */
  action: GateText | undefined
  /** Where a declined user gets help (the gate's `supportUrl`). */
  supportUrl: string | undefined
  /**
   * The error's sentence and reference, drawn by the gate: this chunk imports nothing the kit's
   * entry imports, or that would split into a chunk of its own, one more download up front.
   */
  errorDetails: ReactNode
}

const waiting = new Set<KycGateState>(['opening', 'sharing', 'pending'])

/** The in-progress screen's body and action, by what the page knows of Persona's window. */
const inProgress: Record<PersonaWindow, [GateText, GateText]> = {
  open: ['gateInProgressBody', 'gateInProgressAction'],
  closed: ['gateLeftBody', 'gateContinueAction'],
  blocked: ['gateBlockedBody', 'gateBlockedAction'],
  unknown: ['gateUnfinishedBody', 'gateContinueAction'],
}

/**
 * A verification screen's body and action, for every state but `loading` and `approved`: what a
 * returning, verified payee never sees, so it loads the first time a user needs it, not with the
 * kit, and so do its sentences (`gateScreenEn`).
 */
export default function GateScreen({
  gate,
  messages,
  supportUrl,
  errorDetails,
  ...screen
}: GateScreenProps) {
  const { state, kyc } = gate
  const m: Record<GateText, string> = { ...gateScreenEn, ...messages }
  const [body, action] =
    state === 'in_progress' ? inProgress[gate.personaWindow] : [screen.body, screen.action]
  return (
    <>
      {/* The kit's spinner, drawn here: see above for why nothing is imported. */}
      {waiting.has(state) && state !== 'opening' && (
        <span className="sf-spinner" aria-hidden="true" />
      )}
      {body && <p className="sf-body">{m[body]}</p>}
      {state === 'error' && errorDetails}
      {kyc?.reason && (state === 'start' || state === 'rejected' || state === 'expired') && (
        <p className="sf-detail">{m[`reason_${kyc.reason}`]}</p>
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
      {state === 'rejected' && supportUrl && (
        <a className="sf-button" href={supportUrl}>
          {m.gateSupportAction}
        </a>
      )}
      {state === 'in_progress' && gate.personaWindow === 'blocked' && gate.inquiryLink ? (
        // A link the user clicks opens where a script's window was blocked.
        <a
          className="sf-button"
          href={gate.inquiryLink}
          target="_blank"
          rel="noopener noreferrer"
          onClick={gate.openedInquiryLink}
        >
          {m.gateBlockedAction} <span className="sf-hint">{m.opensInNewTab}</span>
        </a>
      ) : (
        action && (
          <button
            type="button"
            className={
              state === 'in_progress' && gate.personaWindow === 'open'
                ? 'sf-button sf-secondary'
                : 'sf-button'
            }
            aria-disabled={state === 'opening'}
            onClick={state === 'error' ? gate.retry : gate.startVerification}
          >
            {m[action]}
          </button>
        )
      )}
    </>
  )
}
