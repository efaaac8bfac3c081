import type { ErrorCode, Speed, UnavailableReason } from '@shareflow/contract'
import type { gateScreenEn } from './kyc-share-gate/gate-messages'
import type { historyEn } from './history/messages'
import type { linkEn } from './withdraw-button/link-messages'

/**
 * Every string the kit shows. `{name}` marks a value the kit fills in (already formatted for the
 * locale). Override any of them through `<ShareflowProvider messages={{ … }}>`.
 */
export const en = {
  gateLoading: 'Checking your verification…',
  gateStartTitle: 'Verify your identity',
  gateInProgressTitle: 'Finish verifying with Persona',
  gateSharingTitle: 'Sharing your verification with Coinflow',
  gatePendingTitle: 'Coinflow is checking your details',
  gateMoreInfoTitle: 'Coinflow needs a few more details',
  gateRejectedTitle: 'We could not verify your identity',
  gateExpiredTitle: 'Your verification expired',
  gateApproved: 'Identity verified.',
  errorTitle: 'Something went wrong',
  retry: 'Try again',
  retryAmount: 'Try {amount} again',
  reference: 'Reference: {requestId}',
  opensInNewTab: '(opens in a new tab)',

  amountLabel: 'Amount',
  amountInvalid: 'Enter an amount in {currency}.',
  speedLegend: 'Payout speed',
  quoteIdle: 'Enter an amount to see payout options.',
  quoteNoDestination: 'Link a payout account to see payout options.',
  quoteLoading: 'Getting prices…',
  quoteExpired: 'These prices expired.',
  quoteRefresh: 'Refresh prices',
  quoteFee: 'Fee {fee}',
  quoteReceive: 'You receive {amount}',
  quoteArrives: 'Arrives {relative}',
  quoteSentAs: 'Sent as {speed}',
  speed_card: 'Instant to card',
  speed_asap: 'Instant transfer',
  speed_same_day: 'Same day',
  speed_standard: 'Standard transfer',
  speed_iban: 'Bank transfer',
  speed_pix: 'PIX',
  unavailable_over_limit: 'Above the {limit} limit',
  unavailable_not_supported: 'Not available for this account',
  unavailable_fee_exceeds_amount: 'The fee is more than the amount',

  withdraw: 'Withdraw {amount}',
  withdrawPlain: 'Withdraw',
  withdrawLink: 'Link a payout account',
  withdrawChooseSpeed: 'Choose a payout speed first.',
  withdrawPreparing: 'Preparing…',
  withdrawLinking: 'Linking your account…',
  withdrawSubmitting: 'Sending…',
  withdrawProcessing: 'Your payout of {amount} is on its way.',
  withdrawSucceeded: '{amount} paid out by {speed}.',
  withdrawFailed: 'The payout failed: {reason}',
  withdrawFailedUnknown: 'The payout failed.',
  withdrawAgain: 'New payout',

  error_invalid_request: 'Some details are not valid.',
  error_unauthenticated: 'Please sign in again.',
  error_forbidden: 'This action is not allowed.',
  error_not_found: 'We could not find that.',
  // The kit never sends a body this large or a write without its key: only a bug on our side can.
  error_payload_too_large: 'Something went wrong on our side.',
  error_idempotency_key_reused: 'This payout was already requested with other details.',
  error_idempotency_key_missing: 'Something went wrong on our side.',
  error_conflict: 'Something else is in progress. Try again in a moment.',
  error_rate_limited: 'Too many attempts. Try again in a moment.',
  error_kyc_required: 'Verify your identity first.',
  error_verification_required: 'Coinflow needs more details first.',
  error_destination_not_found: 'That payout account is no longer linked.',
  error_amount_not_allowed: 'This amount is not allowed for this account or speed.',
  error_quote_changed: 'The price changed. Check the new fee, then withdraw again.',
  error_payout_refused: 'The payout was refused.',
  error_payouts_unavailable: 'Payouts are unavailable right now. Try again later.',
  error_upstream_unavailable: 'The service is not reachable. Try again in a moment.',
  error_internal: 'Something went wrong on our side.',

  // Money: the balance, where the payout goes, the payouts so far.
  amountOverBalance: 'Your balance is {balance}.',
} satisfies Record<string, string> &
  // Every error code, speed and unavailable reason needs a message; the compiler checks it.
  Record<`error_${ErrorCode}` | `speed_${Speed}` | `unavailable_${UnavailableReason}`, string>

/** The strings the kit's entry carries in English (`en`). */
export type ShareflowMessages = { [K in keyof typeof en]: string }

/** A sentence the gate's screens may show: the kit entry's, or one of the screens' own. */
export type GateText = keyof ShareflowMessages | keyof typeof gateScreenEn

/**
 * Strings whose English ships with the lazy chunk or entry that shows them, not in the kit's
 * entry (which a payee downloads before anything renders): the verification screens, Coinflow's
 * dialog, the payout history. A language or a host's override provides them like any other
 * string; the chunk falls back to its English.
 */
export type ChunkMessages = {
  [K in keyof (typeof gateScreenEn & typeof linkEn & typeof historyEn)]: string
}

/** A full language: every string, the chunks' own included (`locales/de.ts`). */
export type ShareflowLanguage = ShareflowMessages & ChunkMessages

/** The provider's strings: the entry's all there, the chunks' where a language or host gave them. */
export type ResolvedMessages = ShareflowMessages & Partial<ChunkMessages>

/** English, then a bundled `language`, then the host's `overrides`. */
export const resolveMessages = (
  language: ShareflowLanguage | undefined,
  overrides: Partial<ShareflowLanguage>,
): ResolvedMessages => ({ ...en, ...language, ...overrides })

/** Fills `{name}` placeholders; unknown names stay visible so a typo is easy to spot. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in values ? String(values[name]) : match,
  )
}
