import { z } from 'zod'

/**
 * Where the signed-in user stands on the way to a Coinflow payout.
 *
 * - `unverified`: no Persona inquiry yet.
 * - `inquiry_required`: an earlier inquiry can't be used (failed, or stuck missing fields); a new one is needed.
 * - `in_progress`: a Persona inquiry is open; the user should finish it.
 * - `sharing`: the inquiry is done; the share token is being created and registered with Coinflow.
 * - `pending`: Coinflow is verifying the shared identity; a webhook will move it on.
 * - `needs_more_info`: Coinflow wants more (`verificationLink`).
 * - `approved`: payouts may go ahead.
 * - `rejected`: Persona or Coinflow declined the user. Terminal.
 * - `expired`: the inquiry or the share token expired; the user can start again.
 */
export const KycState = z.enum([
  'unverified',
  'inquiry_required',
  'in_progress',
  'sharing',
  'pending',
  'needs_more_info',
  'approved',
  'rejected',
  'expired',
])
export type KycState = z.infer<typeof KycState>

/** What the user (or the gate, for them) can do next. */
export const KycNextAction = z.enum([
  /** Call `POST /kyc/inquiry` and open the one-time link. */
  'start_inquiry',
  /** Call `POST /kyc/inquiry`: it resumes the open inquiry. */
  'resume_inquiry',
  /** Call `POST /kyc/share`. */
  'share',
  /** Nothing to do; an update arrives over `GET /events`. */
  'wait',
  /** Open `verificationLink`. */
  'open_verification_link',
  /** Nothing the user can do here; show support contact. */
  'contact_support',
  /** Nothing to do: verified. */
  'none',
])
export type KycNextAction = z.infer<typeof KycNextAction>

/**
 * Why the user is where they are, as a code the kit says in the user's language (the server
 * sends no sentences).
 *
 * - `inquiry_failed`: Persona's check did not pass; a new inquiry is needed.
 * - `inquiry_declined`: Persona declined the user.
 * - `inquiry_expired`: the inquiry expired before it was finished; it can be resumed.
 * - `in_review`: a reviewer at Persona is looking at the inquiry.
 * - `share_refused`: the verification could not be shared with Coinflow; verify again.
 * - `coinflow_rejected`: Coinflow could not verify the shared identity.
 * - `coinflow_expired`: the shared verification expired at Coinflow; share it again.
 */
export const KycReason = z.enum([
  'inquiry_failed',
  'inquiry_declined',
  'inquiry_expired',
  'in_review',
  'share_refused',
  'coinflow_rejected',
  'coinflow_expired',
])
export type KycReason = z.infer<typeof KycReason>

export const KycStatus = z.strictObject({
  state: KycState,
  nextAction: KycNextAction,
  /** Coinflow's page for more information, when `state` is `needs_more_info`. */
  verificationLink: z.url().optional(),
  /** Why, for `rejected`, `expired`, `inquiry_required` and a `pending` review: a code to translate. */
  reason: KycReason.optional(),
  updatedAt: z.iso.datetime(),
})
export type KycStatus = z.infer<typeof KycStatus>

/** `POST /kyc/inquiry` response: where to send the user to complete Persona's flow. */
export const InquiryLink = z.strictObject({
  /** Persona inquiry id (`inq_…`); not a secret, useful for support. */
  inquiryId: z.string(),
  /** One-time link to Persona's hosted flow; opened in a popup or new tab. */
  oneTimeLink: z.url(),
  /** For the embedded flow: the inquiry's session token (resume). */
  sessionToken: z.string().optional(),
  /** `true` when an open inquiry was resumed rather than created. */
  resumed: z.boolean(),
  kyc: KycStatus,
})
export type InquiryLink = z.infer<typeof InquiryLink>
