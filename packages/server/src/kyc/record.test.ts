import { describe, expect, it } from 'vitest'
import { deriveKycStatus, emptyKycRecord, SHARE_LEASE_MS, type KycRecord } from './record'

const now = Date.UTC(2026, 10, 22, 12)
const at = new Date(now).toISOString()

const record = (facts: Partial<KycRecord>): KycRecord => ({ ...emptyKycRecord(now), ...facts })
const inquiry = (status: string) => ({ id: 'inq_1', status, createdAt: at, eventAt: at })
const coinflow = (status: string, verificationLink?: string) => ({
  status,
  checkedAt: at,
  eventAt: null,
  ...(verificationLink ? { verificationLink } : {}),
})
const share = (
  step: 'creating_token' | 'token_created' | 'registering' | 'done' | 'failed',
  startedAt = at,
) => ({
  attempt: 1,
  inquiryId: 'inq_1',
  step,
  startedAt,
})

describe('deriveKycStatus', () => {
  it.each([
    ['no inquiry', record({}), 'unverified', 'start_inquiry'],
    ['a created inquiry', record({ inquiry: inquiry('created') }), 'in_progress', 'resume_inquiry'],
    ['a pending inquiry', record({ inquiry: inquiry('pending') }), 'in_progress', 'resume_inquiry'],
    ['a completed inquiry', record({ inquiry: inquiry('completed') }), 'sharing', 'share'],
    ['an approved inquiry', record({ inquiry: inquiry('approved') }), 'sharing', 'share'],
    ['an inquiry in review', record({ inquiry: inquiry('needs_review') }), 'pending', 'wait'],
    [
      'a failed inquiry',
      record({ inquiry: inquiry('failed') }),
      'inquiry_required',
      'start_inquiry',
    ],
    ['a declined inquiry', record({ inquiry: inquiry('declined') }), 'rejected', 'contact_support'],
    ['an expired inquiry', record({ inquiry: inquiry('expired') }), 'expired', 'resume_inquiry'],
    [
      'a status Persona added later',
      record({ inquiry: inquiry('paused') }),
      'in_progress',
      'resume_inquiry',
    ],
  ])('maps %s to %s / %s', (_, facts, state, nextAction) => {
    expect(deriveKycStatus(facts, now)).toMatchObject({ state, nextAction })
  })

  it.each([
    ['approved', 'approved', 'none'],
    ['pending', 'pending', 'wait'],
    ['partial-approval', 'pending', 'wait'],
    ['rejected', 'rejected', 'contact_support'],
    ['expired', 'expired', 'share'],
  ])('follows Coinflow’s %s over the inquiry', (status, state, nextAction) => {
    const facts = record({
      inquiry: inquiry('completed'),
      share: share('done'),
      coinflow: coinflow(status),
    })
    expect(deriveKycStatus(facts, now)).toMatchObject({ state, nextAction })
  })

  it('sends the user to Coinflow’s page when it needs more', () => {
    const link = 'https://sandbox.coinflow.cash/verification/abc'
    const facts = record({
      inquiry: inquiry('completed'),
      coinflow: coinflow('needs_more_info', link),
    })
    expect(deriveKycStatus(facts, now)).toEqual({
      state: 'needs_more_info',
      nextAction: 'open_verification_link',
      verificationLink: link,
      updatedAt: at,
    })
  })

  it('waits on a share in flight, and offers it again once its worker’s lease ran out', () => {
    const facts = record({ inquiry: inquiry('completed'), share: share('token_created') })
    expect(deriveKycStatus(facts, now)).toMatchObject({ state: 'sharing', nextAction: 'wait' })
    expect(deriveKycStatus(facts, now + SHARE_LEASE_MS + 1)).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })
  })

  it('asks for a new inquiry when sharing this one failed, until Persona has news of it', () => {
    const failed = {
      ...share('failed'),
      failure: 'share_refused',
      inquiryStatusAtEnd: 'completed',
    }
    expect(
      deriveKycStatus(record({ inquiry: inquiry('completed'), share: failed }), now),
    ).toMatchObject({
      state: 'inquiry_required',
      nextAction: 'start_inquiry',
      reason: 'share_refused',
    })
    // A record from before reasons were codes holds the sentence; the user still gets a code.
    expect(
      deriveKycStatus(
        record({
          inquiry: inquiry('completed'),
          share: { ...failed, failure: 'Could not share.' },
        }),
        now,
      ).reason,
    ).toBe('share_refused')
    expect(
      deriveKycStatus(record({ inquiry: inquiry('approved'), share: failed }), now),
    ).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })
  })
})
