import { describe, expect, it } from 'vitest'
import { deriveBusinessState, type BusinessRecord } from './record'

const submittedAt = '2026-12-01T10:00:00.000Z'
const at = (minutes: number) => Date.parse(submittedAt) + minutes * 60_000
const options = (minutes = 1) => ({ now: at(minutes), stallAfterMs: 30 * 60_000 })

const record = (overrides: Partial<BusinessRecord> = {}): BusinessRecord => ({
  businessId: 'biz-1',
  userId: 'user-1',
  legalName: 'Nova Studio LLC',
  submission: 's1',
  submittedAt,
  details: null,
  ownerAccounts: [],
  ownersRelated: 0,
  transaction: null,
  checkedAt: null,
  coinflow: null,
  ...overrides,
})
const transaction = (status: string) => ({ transaction: { id: 'txn_1', status, eventAt: null } })
const coinflow = (outcome: NonNullable<BusinessRecord['coinflow']>['outcome']) => ({
  ...transaction('approved'),
  coinflow: { step: 'done' as const, outcome, verificationLink: null, at: submittedAt },
})

describe('what a business record means for the gate', () => {
  it('asks for details when nothing was submitted', () => {
    expect(deriveBusinessState(null, options())).toBe('details_required')
  })

  it('is checking while Persona’s workflow or Coinflow’s registration runs', () => {
    expect(deriveBusinessState(record(), options())).toBe('checking')
    expect(deriveBusinessState(record(transaction('created')), options())).toBe('checking')
    expect(deriveBusinessState(record(transaction('approved')), options())).toBe('checking')
    expect(deriveBusinessState(record(coinflow('pending')), options())).toBe('checking')
  })

  it('ends a check that never finishes as stalled, never a spinner forever', () => {
    expect(deriveBusinessState(record(transaction('created')), options(31))).toBe('stalled')
    // A decision that arrives late still counts.
    expect(deriveBusinessState(record(transaction('declined')), options(90))).toBe('declined')
  })

  it('follows Persona’s decision and Coinflow’s registration', () => {
    expect(deriveBusinessState(record(transaction('declined')), options())).toBe('declined')
    expect(deriveBusinessState(record(transaction('needs review')), options())).toBe('in_review')
    expect(deriveBusinessState(record(coinflow('approved')), options(90))).toBe('approved')
    expect(deriveBusinessState(record(coinflow('needs_more_info')), options())).toBe(
      'needs_more_info',
    )
    expect(deriveBusinessState(record(coinflow('rejected')), options())).toBe('declined')
  })
})
