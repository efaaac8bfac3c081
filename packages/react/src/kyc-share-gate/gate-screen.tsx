import type { ReactNode } from 'react'
import type { ShareflowMessages } from '../messages'
import type { KycShareGateController } from './use-kyc-share-gate'
import type { KycGateState } from './gate-state'

export interface GateScreenProps {
  gate: KycShareGateController
  messages: ShareflowMessages
  /** The body message of the screen, if it has one. */
  body: keyof ShareflowMessages | undefined
  /** The action's label, if the screen has one. */
  action: keyof ShareflowMessages | undefined
  /**
   * The error's sentence and reference, drawn by the gate: this chunk imports nothing the kit's
   * entry imports, or that would split into a chunk of its own, one more download up front.
   */
  errorDetails: ReactNode
}

const waiting = new Set<KycGateState>(['opening', 'sharing', 'pending'])

/**
 * A verification screen's body and action, for every state but `loading` and `approved`: what a
 * returning, verified payee never sees, so it loads the first time a user needs it, not with the
 * kit.
 */
export default function GateScreen({
  gate,
  messages: m,
  body,
  action,
  errorDetails,
}: GateScreenProps) {
  const { state, kyc } = gate
  return (
    <>
      {/* The kit's spinner, drawn here: see above for why nothing is imported. */}
      {waiting.has(state) && state !== 'opening' && (
        <span className="sf-spinner" aria-hidden="true" />
      )}
      {body && <p className="sf-body">{m[body]}</p>}
      {state === 'error' && errorDetails}
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
          className={state === 'in_progress' ? 'sf-button sf-secondary' : 'sf-button'}
          aria-disabled={state === 'opening'}
          onClick={state === 'error' ? gate.retry : gate.startVerification}
        >
          {m[action]}
        </button>
      )}
    </>
  )
}
