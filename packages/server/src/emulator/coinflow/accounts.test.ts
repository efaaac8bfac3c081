import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cardBrand,
  checkIban,
  disbursementStatus,
  isBic,
  isCardNumber,
  isRoutingNumber,
  normalizeAccountNumber,
  passesLuhn,
  pixKeyType,
} from './accounts'

describe('routing numbers', () => {
  it.each(['011401533', '021000021', '121000248'])(
    'accepts the real routing number %s',
    (value) => {
      expect(isRoutingNumber(value)).toBe(true)
    },
  )

  it('rejects any single-digit change to a valid routing number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 9 }), (at, delta) => {
        const digits = Array.from('011401533', Number)
        digits[at] = (digits[at]! + delta) % 10
        return !isRoutingNumber(digits.join(''))
      }),
    )
  })

  it('rejects anything but nine digits', () => {
    expect(isRoutingNumber('01140153')).toBe(false)
    expect(isRoutingNumber('01140153a')).toBe(false)
  })
})

describe('IBANs', () => {
  it.each([
    ['DE89370400440532013000', 'DE', true],
    ['GB29NWBK60161331926819', 'GB', true],
    ['FR1420041010050500013M02606', 'FR', true],
    ['TR330006100519786457841326', 'TR', false],
    ['AE070331234567890123456', 'AE', false],
  ])('accepts %s (%s, SEPA %s)', (iban, country, sepa) => {
    expect(checkIban(iban)).toEqual({ ok: true, iban, country, sepa })
  })

  it('says why an IBAN is refused', () => {
    expect(checkIban('DE89370400440532013001')).toEqual({ ok: false, reason: 'checksum' })
    expect(checkIban('DE8937040044053201300')).toEqual({ ok: false, reason: 'length' })
    expect(checkIban('XX89370400440532013000')).toEqual({ ok: false, reason: 'country' })
    expect(checkIban('de89370400440532013000')).toEqual({ ok: false, reason: 'format' })
  })

  it('normalises printed IBANs', () => {
    expect(normalizeAccountNumber('de89 3704 0044-0532 0130 00')).toBe('DE89370400440532013000')
  })

  it('validates BICs by shape', () => {
    expect(isBic('DEUTDEFF')).toBe(true)
    expect(isBic('DEUTDEFF500')).toBe(true)
    expect(isBic('DEUT1EFF')).toBe(false)
    expect(isBic('DEUTDEF')).toBe(false)
  })
})

describe('PIX keys', () => {
  it.each([
    ['40882598074', 'cpf'],
    ['408.825.980-74', 'cpf'],
    ['11222333000181', 'cnpj'],
    ['+5511987654321', 'phone'],
    ['ana@example.com.br', 'email'],
    ['123e4567-e89b-12d3-a456-426614174000', 'evp'],
  ])('classifies %s as %s', (key, type) => {
    expect(pixKeyType(key)).toBe(type)
  })

  it.each(['40882598075', '11111111111', '11222333000182', '+15551234567', 'hello'])(
    'refuses %s',
    (key) => {
      expect(pixKeyType(key)).toBeNull()
    },
  )
})

describe('cards', () => {
  it('knows the sandbox cards and their networks', () => {
    expect(isCardNumber('4169050000000004')).toBe(true)
    expect(cardBrand('4169050000000004')).toBe('VISA')
    expect(cardBrand('5431111111111111')).toBe('MSTR')
    expect(cardBrand('2221000000000009')).toBe('MSTR')
    expect(cardBrand('378282246310005')).toBe('AMEX')
    expect(cardBrand('6011111111111117')).toBe('DISC')
    expect(cardBrand('9999999999999995')).toBeNull()
  })

  it('says how fast each network can receive a push-to-card payout', () => {
    expect(disbursementStatus('VISA')).toBe('Immediate')
    expect(disbursementStatus('DISC')).toBe('Business Day')
    expect(disbursementStatus('AMEX')).toBe('Ineligible')
  })

  it('catches every single-digit typo with Luhn', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (at, delta) => {
        const digits = Array.from('4169050000000004', Number)
        digits[at] = (digits[at]! + delta) % 10
        return !passesLuhn(digits.join(''))
      }),
    )
  })
})
