import type { KycStatus } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { ShareflowError } from '../errors'
import { actionErrorOf, gateStateOf, type GateInputs } from './gate-state'

const at = '2026-11-22T12:00:00.000Z'
const kyc = (state: KycStatus['state'], nextAction: KycStatus['nextAction']): KycStatus => ({
  state,
  nextAction,
  updatedAt: at,
})
const quiet: GateInputs = {
  opening: false,
  sharing: false,
  actionFailed: false,
  kyc: undefined,
  sessionFailed: false,
}
const gate = (inputs: Partial<GateInputs>) => gateStateOf({ ...quiet, ...inputs })
const failure = (code: ShareflowError['code']) =>
  new ShareflowError({ code, status: 409, message: code })

describe('gateStateOf', () => {
  it('a user whose session is still being read sees the loading screen', () => {
    expect(gate({})).toBe('loading')
  })

  it('a user whose session could not be read sees an error, but a session read earlier stays on screen', () => {
    expect(gate({ sessionFailed: true })).toBe('error')
    expect(gate({ sessionFailed: true, kyc: kyc('pending', 'wait') })).toBe('pending')
  })

  it('a user who has not started, or must start again, sees one start screen', () => {
    expect(gate({ kyc: kyc('unverified', 'start_inquiry') })).toBe('start')
    expect(gate({ kyc: kyc('inquiry_required', 'start_inquiry') })).toBe('start')
  })

  it('a user in any other KYC state sees that state’s screen', () => {
    const own = [
      ['in_progress', 'resume_inquiry'],
      ['sharing', 'wait'],
      ['pending', 'wait'],
      ['needs_more_info', 'open_verification_link'],
      ['approved', 'none'],
      ['rejected', 'contact_support'],
      ['expired', 'start_inquiry'],
    ] as const
    for (const [state, nextAction] of own) expect(gate({ kyc: kyc(state, nextAction) })).toBe(state)
  })

  it('a user whose completed inquiry is due to be shared sees sharing before the share starts', () => {
    expect(gate({ kyc: kyc('in_progress', 'share') })).toBe('sharing')
  })

  it('a user whose share is in flight sees sharing, whatever the session said before', () => {
    expect(gate({ sharing: true, kyc: kyc('unverified', 'start_inquiry') })).toBe('sharing')
    expect(gate({ sharing: true, actionFailed: true })).toBe('sharing')
  })

  it('a user opening Persona sees opening, even over a share in flight or an earlier failure', () => {
    expect(gate({ opening: true, sharing: true, actionFailed: true })).toBe('opening')
    expect(gate({ opening: true, kyc: kyc('expired', 'start_inquiry') })).toBe('opening')
  })

  it('a user whose share or inquiry failed sees the error screen over what the session says', () => {
    expect(gate({ actionFailed: true, kyc: kyc('in_progress', 'share') })).toBe('error')
    expect(gate({ actionFailed: true, kyc: kyc('approved', 'none') })).toBe('error')
  })
})

describe('actionErrorOf', () => {
  it('a user whose action failed for a reason the session explains sees what the session says next', () => {
    for (const code of ['verification_required', 'kyc_required', 'conflict'] as const) {
      expect(actionErrorOf(failure(code))).toBeNull()
    }
  })

  it('a user whose action failed for any other reason is shown that failure to retry', () => {
    const unavailable = failure('upstream_unavailable')
    expect(actionErrorOf(unavailable)).toBe(unavailable)
    const bug = new Error('a callback threw')
    expect(actionErrorOf(bug)).toBe(bug)
    expect(actionErrorOf(null)).toBeNull()
  })
})
