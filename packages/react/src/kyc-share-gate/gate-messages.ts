import type { KycReason } from '@shareflow/contract'

/**
 * The verification screens' sentences in English. They load with those screens (the gate-screen
 * chunk), not with the kit: a returning, verified payee never reads them, and the kit's first
 * download has no room to spare. Titles stay in `en`: the gate draws them before the chunk loads.
 * Languages and the host's `messages` override them like any other string.
 */
export const gateScreenEn = {
  gateStartBody:
    'Before your first payout we confirm who you are with Persona. It takes a few minutes.',
  gateStartAction: 'Start verification',
  gateOpening: 'Opening Persona…',
  gateInProgressBody:
    'Persona opened in a new window. This page updates by itself when you are done.',
  gateInProgressAction: 'Reopen verification',
  gateLeftBody: 'You closed Persona before finishing. Continue where you left off.',
  gateUnfinishedBody: 'Your verification is not finished yet. Continue where you left off.',
  gateContinueAction: 'Continue verification',
  gateBlockedBody: 'Your browser blocked the window for Persona. Open it with this link instead.',
  gateBlockedAction: 'Open Persona',
  gateSharingBody: 'This usually takes a few seconds.',
  gatePendingBody: 'You can keep this page open: it updates as soon as they are done.',
  gateMoreInfoBody: 'Answer a few questions on Coinflow’s page, then come back here.',
  gateMoreInfoAction: 'Continue with Coinflow',
  gateRejectedBody: 'Payouts are not available for this account. Please contact support.',
  gateSupportAction: 'Contact support',
  gateExpiredBody: 'Start again to continue to your payout.',
  gateExpiredAction: 'Start again',
  reason_inquiry_failed: 'Your identity check did not pass. You can start a new one.',
  reason_inquiry_declined: 'Your identity could not be verified.',
  reason_inquiry_expired:
    'Your identity check expired before it was finished. You can pick up where you left off.',
  reason_in_review: 'Your identity check is being reviewed. We will let you know when it is done.',
  reason_share_refused: 'Your identity check could not be shared. Please verify again.',
  reason_coinflow_rejected: 'Our payout partner could not verify your identity.',
  reason_coinflow_expired: 'Your shared verification expired. Share it again to continue.',
} satisfies Record<string, string> &
  // Every reason the server may send needs a sentence; the compiler checks it.
  Record<`reason_${KycReason}`, string>
