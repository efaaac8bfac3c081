import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as contract from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { generateWireSource } from '../../scripts/wire-schemas'
import { findProblem, type WireName } from './index'

const at = '2026-11-22T12:00:00.000Z'
const kyc = { state: 'pending', nextAction: 'wait', updatedAt: at }
const destination = {
  id: 'acct_1',
  type: 'bank_account',
  label: 'Chase',
  last4: '6789',
  currency: 'USD',
  speeds: ['standard', 'same_day'],
}
const payout = {
  id: 'po_1',
  state: 'pending',
  amount: { cents: 12_50, currency: 'USD' },
  speed: 'same_day',
  effectiveSpeed: 'standard',
  destination: { id: 'acct_1', type: 'bank_account', last4: '6789', label: 'Chase' },
  createdAt: at,
  updatedAt: at,
}
const option = {
  speed: 'standard',
  effectiveSpeed: 'standard',
  available: true,
  fee: { cents: 25, currency: 'USD' },
  receive: { cents: 12_25, currency: 'USD' },
  limit: { cents: 100_000_00, currency: 'USD' },
  expectedDeliveryAt: at,
}

const valid: { [N in WireName]: unknown } = {
  Session: {
    user: { id: 'u1' },
    kyc,
    destinations: [destination],
    coinflow: {
      sessionKey: 'sk',
      merchantId: 'm',
      env: 'local',
      origin: 'http://localhost:3000',
      expiresAt: at,
    },
  },
  KycStatus: { ...kyc, state: 'needs_more_info', verificationLink: 'https://c.example/v' },
  InquiryLink: { inquiryId: 'inq_1', oneTimeLink: 'https://p.example/x', resumed: false, kyc },
  DestinationList: { destinations: [destination] },
  Balance: { available: { cents: 480_00, currency: 'USD' } },
  Quote: {
    amount: { cents: 12_50, currency: 'USD' },
    destinationId: 'acct_1',
    options: [option],
    quotedAt: at,
    expiresAt: at,
  },
  Payout: payout,
  PayoutList: { payouts: [payout], nextCursor: 'c' },
  ShareflowEvent: { type: 'payout.updated', payout },
  ErrorEnvelope: {
    error: { code: 'rate_limited', message: 'Slow down', requestId: 'r', retryAfterSeconds: 3 },
  },
}

/** Each breaks one rule of the schema it is listed under. */
const invalid: { [N in WireName]: unknown[] } = {
  Session: [
    { ...(valid.Session as object), coinflow: undefined },
    { ...(valid.Session as object), extra: true },
    { ...(valid.Session as object), destinations: [{ ...destination, last4: '12345' }] },
  ],
  KycStatus: [
    { ...kyc, state: 'approved-ish' },
    { ...kyc, updatedAt: '2026-11-22' },
    { ...kyc, verificationLink: 'not a url' },
  ],
  InquiryLink: [{ inquiryId: 'inq_1', oneTimeLink: 'https://p.example/x', kyc }],
  DestinationList: [
    { destinations: destination },
    { destinations: [{ ...destination, currency: 'JPY' }] },
    { destinations: [{ ...destination, id: '' }] },
  ],
  Balance: [{}, { available: { cents: -1, currency: 'USD' } }, { available: 480_00 }],
  Quote: [
    { ...(valid.Quote as object), options: [{ ...option, fee: null }] },
    { ...(valid.Quote as object), options: [{ ...option, speed: 'warp' }] },
    { ...(valid.Quote as object), options: [{ ...option, unavailableReason: 'tired' }] },
  ],
  Payout: [
    { ...payout, state: 'lost' },
    { ...payout, destination: { ...payout.destination, currency: 'USD' } },
    { ...payout, amount: { cents: 0, currency: 'USD' } },
    { ...payout, fee: { cents: 1.5, currency: 'USD' } },
    { ...payout, fee: { cents: -1, currency: 'USD' } },
    { ...payout, fee: { cents: '1', currency: 'USD' } },
  ],
  PayoutList: [{ payouts: [payout], nextCursor: 1 }],
  ShareflowEvent: [{ type: 'kyc.updated', payout }, { type: 'unknown' }, null],
  ErrorEnvelope: [{ error: { code: 'teapot', message: 'x', requestId: 'r' } }, { message: 'x' }],
}

describe('wire schemas', () => {
  it('match what the contract generates today (if not: pnpm --filter @shareflow/react generate:wire)', () => {
    // Compared modulo formatting, which prettier owns.
    const canonical = (source: string) =>
      source
        .replace(/\s+/g, '')
        .replace(/,([)\]}])/g, '$1')
        .replace(/"/g, "'")
    const committed = readFileSync(join(import.meta.dirname, 'schemas.generated.ts'), 'utf8')
    expect(canonical(committed)).toBe(canonical(generateWireSource()))
  })

  for (const name of Object.keys(valid) as WireName[]) {
    it(`accepts what the contract's ${name} accepts and rejects what it rejects`, () => {
      const schema = contract[name]
      expect(schema.safeParse(valid[name]).success).toBe(true)
      expect(findProblem(name, valid[name])).toBeUndefined()
      for (const value of invalid[name]) {
        expect(schema.safeParse(value).success).toBe(false)
        expect(findProblem(name, value)).toMatch(/^\$/)
      }
    })
  }

  it('checks timestamps exactly as zod does, leap days included', () => {
    const stamps = [
      '2026-11-22T12:00:00Z',
      '2026-11-22T12:00:00.123456Z',
      '2024-02-29T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '1900-02-29T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-10T00:00:00Z',
      '2026-11-22T24:00:00Z',
      '2026-11-22T12:60:00Z',
      '2026-11-22T12:00Z',
      '2026-11-22T12:00:00',
      '2026-11-22T12:00:00+01:00',
      '2026-11-22 12:00:00Z',
      '0000-01-01T00:00:00Z',
      '',
    ]
    for (const updatedAt of stamps) {
      const zod = contract.KycStatus.safeParse({ ...kyc, updatedAt }).success
      expect([updatedAt, !findProblem('KycStatus', { ...kyc, updatedAt })]).toEqual([
        updatedAt,
        zod,
      ])
    }
  })
})
