import type { Destination, Payout } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { withdrawStateOf, type WithdrawInputs } from './withdraw-state'

const bank: Destination = {
  id: 'dest_1',
  type: 'bank_account',
  label: 'Checking',
  last4: '6789',
  currency: 'USD',
  speeds: ['standard'],
}
const ready: WithdrawInputs = {
  phase: 'idle',
  payoutState: undefined,
  destination: bank,
  amount: { cents: 25_00, currency: 'USD' },
  speed: 'standard',
  terms: {
    speed: 'standard',
    effectiveSpeed: 'standard',
    available: true,
    fee: { cents: 25, currency: 'USD' },
    receive: { cents: 24_75, currency: 'USD' },
    limit: { cents: 100_000_00, currency: 'USD' },
    expectedDeliveryAt: '2026-12-09T12:00:00.000Z',
  },
}
const withdraw = (inputs: Partial<WithdrawInputs>) => withdrawStateOf({ ...ready, ...inputs })

describe('withdrawStateOf', () => {
  it('a user with an account, an amount and a speed can pay out', () => {
    expect(withdraw({})).toBe('ready')
  })

  it('a user whose fee for this amount is not on screen yet cannot pay out until it is', () => {
    expect(withdraw({ terms: undefined })).toBe('pricing')
    // Nothing to price without an amount, a speed or an account.
    expect(withdraw({ terms: undefined, amount: undefined })).toBe('unavailable')
    expect(withdraw({ terms: undefined, destination: null })).toBe('needs_destination')
  })

  it('a user whose quote does not offer the chosen speed for this amount cannot pay at it', () => {
    expect(withdraw({ terms: null })).toBe('unavailable')
  })

  it('a user without an amount or a speed has nothing to do yet', () => {
    expect(withdraw({ amount: undefined })).toBe('unavailable')
    expect(withdraw({ speed: undefined })).toBe('unavailable')
  })

  it('a user whose destinations are still loading cannot pay out yet', () => {
    expect(withdraw({ destination: undefined })).toBe('unavailable')
  })

  it('a user with no payout account is asked to link one, with or without an amount', () => {
    expect(withdraw({ destination: null })).toBe('needs_destination')
    expect(withdraw({ destination: null, amount: undefined, speed: undefined })).toBe(
      'needs_destination',
    )
  })

  it('a user in the middle of a step sees that step, whatever the form holds', () => {
    for (const phase of ['preparing', 'linking', 'submitting'] as const) {
      expect(withdraw({ phase })).toBe(phase)
      expect(withdraw({ phase, destination: null, amount: undefined })).toBe(phase)
    }
  })

  it('a user whose call failed sees the error', () => {
    expect(withdraw({ phase: 'error' })).toBe('error')
    expect(withdraw({ phase: 'error', destination: null })).toBe('error')
  })

  it('a user whose payout is on its way sees it processing, also before it is read', () => {
    const underway: (Payout['state'] | undefined)[] = [
      undefined,
      'accepted',
      'authorized',
      'submitted',
      'pending',
    ]
    for (const payoutState of underway) {
      expect(withdraw({ phase: 'watching', payoutState })).toBe('processing')
    }
  })

  it('a user whose payout succeeded sees it succeeded', () => {
    expect(withdraw({ phase: 'watching', payoutState: 'succeeded' })).toBe('succeeded')
  })

  it('a user whose payout failed or was refused sees it failed', () => {
    expect(withdraw({ phase: 'watching', payoutState: 'failed' })).toBe('failed')
    expect(withdraw({ phase: 'watching', payoutState: 'refused' })).toBe('failed')
  })

  it('a payout’s outcome shows even when the form has since been cleared', () => {
    expect(
      withdraw({
        phase: 'watching',
        payoutState: 'succeeded',
        amount: undefined,
        destination: null,
      }),
    ).toBe('succeeded')
  })
})
