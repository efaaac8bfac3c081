import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  convertFromUsd,
  displayDate,
  expectedDelivery,
  feeCents,
  SPEED_TERMS,
  WITHDRAW_SPEEDS,
} from './pricing'

const FRIDAY_NOON = Date.UTC(2026, 10, 20, 12)

describe('payout pricing', () => {
  it('charges the flat fee, the percentage, and never less than the minimum', () => {
    expect(feeCents('standard', 1_000_000_00)).toBe(25)
    expect(feeCents('asap', 100_00)).toBe(1_50)
    expect(feeCents('asap', 1_00)).toBe(1_01)
    expect(feeCents('card', 10_00)).toBe(50)
    expect(feeCents('card', 1_000_00)).toBe(15_00)
  })

  it('gives every speed a fee that grows with the amount and never goes below the minimum', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WITHDRAW_SPEEDS),
        fc.integer({ min: 1, max: 10_000_000_00 }),
        fc.integer({ min: 0, max: 1_000_00 }),
        (speed, amount, more) =>
          feeCents(speed, amount) >= SPEED_TERMS[speed].minimumFeeCents &&
          feeCents(speed, amount + more) >= feeCents(speed, amount) &&
          Number.isInteger(feeCents(speed, amount)),
      ),
    )
  })

  it('converts at the fixed rates into whole cents', () => {
    expect(convertFromUsd(100_00, 'USD')).toBe(100_00)
    expect(convertFromUsd(100_00, 'EUR')).toBe(92_00)
    expect(convertFromUsd(1, 'BRL')).toBe(5)
  })

  it('counts business days and skips the weekend', () => {
    expect(expectedDelivery('standard', FRIDAY_NOON).toISOString()).toBe('2026-11-24T12:00:00.000Z')
    expect(expectedDelivery('iban', FRIDAY_NOON).toISOString()).toBe('2026-11-23T12:00:00.000Z')
    expect(expectedDelivery('asap', FRIDAY_NOON).getTime()).toBe(FRIDAY_NOON)
  })

  it('formats delivery dates the same way in every locale', () => {
    expect(displayDate(new Date(FRIDAY_NOON))).toBe('Fri, Nov 20, 2026')
  })
})
