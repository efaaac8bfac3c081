import { MAX_AMOUNT_CENTS } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import {
  formatAmountInput,
  formatDateTime,
  formatMoney,
  formatRelative,
  parseAmount,
} from './format'

describe('parseAmount', () => {
  it('reads what a user types as integer cents, in the locale’s own separators', () => {
    expect(parseAmount('12.50', 'USD', 'en-US')).toBe(12_50)
    expect(parseAmount('1,234.5', 'USD', 'en-US')).toBe(1_234_50)
    expect(parseAmount('$ 40', 'USD', 'en-US')).toBe(40_00)
    expect(parseAmount('12,50', 'EUR', 'de-DE')).toBe(12_50)
    expect(parseAmount('1.234,56 €', 'EUR', 'de-DE')).toBe(1_234_56)
    expect(parseAmount('1 234,5', 'EUR', 'fr-FR')).toBe(1_234_50)
  })

  it('takes a lone “.50” typed in a German locale as cents, not as a thousands group', () => {
    expect(parseAmount('12.50', 'EUR', 'de-DE')).toBe(12_50)
    expect(parseAmount('1.500', 'EUR', 'de-DE')).toBe(1_500_00)
  })

  it('refuses what is not a positive amount with at most the currency’s decimals', () => {
    for (const text of ['', 'abc', '0', '0.00', '12.345', '1.2.3', '-5']) {
      expect([text, parseAmount(text, 'USD', 'en-US')]).toEqual([text, undefined])
    }
  })

  it('reads Arabic-Indic and Persian digits with their own separators, and Latin ones too', () => {
    expect(parseAmount('١٢٣٫٥٠', 'USD', 'ar-EG')).toBe(123_50)
    expect(parseAmount('١٬٢٣٤٫٥', 'USD', 'ar-EG')).toBe(1_234_50)
    expect(parseAmount('12.50', 'USD', 'ar-EG')).toBe(12_50)
    expect(parseAmount('۱۲۳٫۵۰', 'USD', 'fa-IR')).toBe(123_50)
    // Persian keyboards often type the Arabic-Indic digits.
    expect(parseAmount('١٢٣', 'USD', 'fa-IR')).toBe(123_00)
    // What the kit writes back into the field reads back as the same amount.
    for (const locale of ['ar-EG', 'fa-IR', 'de-CH', 'ar', 'hi-IN-u-nu-deva']) {
      const written = formatAmountInput(1_234_56, 'USD', locale)
      expect([locale, parseAmount(written, 'USD', locale)]).toEqual([locale, 1_234_56])
    }
  })

  it('reads a Swiss group separator however the apostrophe was typed', () => {
    for (const text of ['1’234.50', "1'234.50", '1ʼ234.50']) {
      expect([text, parseAmount(text, 'EUR', 'de-CH')]).toEqual([text, 1_234_50])
    }
    expect(
      parseAmount(formatMoney({ cents: 1_234_50, currency: 'EUR' }, 'de-CH'), 'EUR', 'de-CH'),
    ).toBe(1_234_50)
  })

  it('never turns a huge amount into an unsafe number', () => {
    expect(parseAmount('99999999999999999999', 'USD', 'en-US')).toBeUndefined()
  })

  it('accepts up to the largest amount the BFF takes, and refuses a cent more', () => {
    expect(parseAmount('10,000,000,000.00', 'USD', 'en-US')).toBe(MAX_AMOUNT_CENTS)
    expect(parseAmount('10,000,000,000.01', 'USD', 'en-US')).toBeUndefined()
  })
})

describe('formatting', () => {
  it('formats cents as the locale writes money', () => {
    expect(formatMoney({ cents: 1_234_50, currency: 'USD' }, 'en-US')).toBe('$1,234.50')
    expect(formatMoney({ cents: 12_50, currency: 'EUR' }, 'de-DE')).toBe('12,50\u00a0€')
    expect(formatMoney({ cents: 99_90, currency: 'BRL' }, 'pt-BR')).toBe('R$\u00a099,90')
  })

  it('writes an amount back into the field the way it is typed', () => {
    expect(formatAmountInput(12_50, 'EUR', 'de-DE')).toBe('12,50')
    expect(formatAmountInput(1_234_00, 'USD', 'en-US')).toBe('1234.00')
  })

  it('says when, relative to the quote, to the nearest unit', () => {
    const now = Date.parse('2026-11-22T12:00:00Z')
    expect(formatRelative('2026-11-22T12:00:30Z', now, 'en')).toBe('now')
    expect(formatRelative('2026-11-22T12:20:00Z', now, 'en')).toBe('in 20 minutes')
    expect(formatRelative('2026-11-22T15:00:00Z', now, 'en')).toBe('in 3 hours')
    expect(formatRelative('2026-11-24T12:00:00Z', now, 'en')).toBe('in 2 days')
    expect(formatRelative('2026-11-23T12:00:00Z', now, 'de')).toBe('morgen')
  })

  it('gives the absolute date and time too', () => {
    expect(formatDateTime('2026-11-24T15:30:00Z', 'en-US')).toMatch(/Nov 24, 2026/)
  })
})
