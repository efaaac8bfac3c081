import type { KycStatus } from '@shareflow/contract'
import { ShareflowError } from '../errors'

/**
 * Where the gate stands. `approved` renders the gate's children; every other state has a screen.
 *
 * - `loading`: reading the session.
 * - `start`: no usable Persona inquiry; the user starts one.
 * - `opening`: creating or resuming the inquiry, about to open Persona.
 * - `in_progress`: the user is in Persona's flow (another tab or window).
 * - `sharing`: registering the user with Coinflow through a Persona share token.
 * - `pending`: Coinflow is reviewing; the screen updates live from the event stream.
 * - `needs_more_info`: Coinflow wants more; the user continues on `verificationLink`.
 * - `rejected`, `expired`: terminal for this attempt (expired can start again).
 * - `error`: the last call failed; `retry()` repeats it.
 */
export type KycGateState =
  | 'loading'
  | 'start'
  | 'opening'
  | 'in_progress'
  | 'sharing'
  | 'pending'
  | 'needs_more_info'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'error'

/** What the gate's state is derived from. */
export interface GateInputs {
  /** Creating or resuming the Persona inquiry. */
  opening: boolean
  /** The share with Coinflow is in flight. */
  sharing: boolean
  /** The last action failed in a way the user retries (see `actionErrorOf`). */
  actionFailed: boolean
  /** The session's KYC status, once read. */
  kyc: KycStatus | undefined
  /** Reading the session failed. */
  sessionFailed: boolean
}

const sessionDecides = new Set<ShareflowError['code']>([
  'verification_required',
  'kyc_required',
  'conflict',
])

/**
 * The failure of the gate's last action that the user is shown, or `null`. These codes say "the
 * session knows better": it is refetched and shows what to do next, so they are no error screen.
 */
export function actionErrorOf<E>(failed: E): E | null {
  return failed instanceof ShareflowError && sessionDecides.has(failed.code) ? null : failed
}

/** The gate's screen for a KYC state: its own name, but one start screen for both ways to start. */
const screenFor = (state: KycStatus['state']): KycGateState =>
  state === 'unverified' || state === 'inquiry_required' ? 'start' : state

/**
 * The gate's state: an action in flight first, then an action's failure, then what the session's
 * KYC status says (a share that is due shows as `sharing` before it starts), and while there is no
 * session, whether reading it failed.
 */
export function gateStateOf({
  opening,
  sharing,
  actionFailed,
  kyc,
  sessionFailed,
}: GateInputs): KycGateState {
  if (opening) return 'opening'
  if (sharing) return 'sharing'
  if (actionFailed) return 'error'
  if (kyc) return kyc.nextAction === 'share' ? 'sharing' : screenFor(kyc.state)
  return sessionFailed ? 'error' : 'loading'
}
