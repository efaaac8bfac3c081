/**
 * Checks the emulated Coinflow applies to payout destinations before it stores them: ABA routing
 * numbers, IBANs (ISO 13616 mod-97 and per-country length), BICs, PIX keys and card numbers. The
 * rules are the banking ones, so a value that passes here would pass a real validator too.
 */

/** ABA routing number: 9 digits whose weighted sum (3, 7, 1, …) is a multiple of 10. */
export function isRoutingNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false
  const d = Array.from(value, Number)
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!)
  return sum % 10 === 0
}

/** US account numbers are 4 to 17 digits. */
export function isUsAccountNumber(value: string): boolean {
  return /^\d{4,17}$/.test(value)
}

/**
 * IBAN lengths for the countries the emulator knows. `sepa` marks the countries reachable through
 * the SEPA scheme (EU/EEA plus CH, GB, MC, SM, AD, VA, GI); the others pay out over SWIFT, which
 * is why Coinflow asks for a BIC (HTTP 426) for them.
 */
const IBAN_COUNTRIES: Record<string, { length: number; sepa: boolean }> = {
  AD: { length: 24, sepa: true },
  AT: { length: 20, sepa: true },
  BE: { length: 16, sepa: true },
  BG: { length: 22, sepa: true },
  CH: { length: 21, sepa: true },
  CY: { length: 28, sepa: true },
  CZ: { length: 24, sepa: true },
  DE: { length: 22, sepa: true },
  DK: { length: 18, sepa: true },
  EE: { length: 20, sepa: true },
  ES: { length: 24, sepa: true },
  FI: { length: 18, sepa: true },
  FR: { length: 27, sepa: true },
  GB: { length: 22, sepa: true },
  GI: { length: 23, sepa: true },
  GR: { length: 27, sepa: true },
  HR: { length: 21, sepa: true },
  HU: { length: 28, sepa: true },
  IE: { length: 22, sepa: true },
  IS: { length: 26, sepa: true },
  IT: { length: 27, sepa: true },
  LI: { length: 21, sepa: true },
  LT: { length: 20, sepa: true },
  LU: { length: 20, sepa: true },
  LV: { length: 21, sepa: true },
  MC: { length: 27, sepa: true },
  MT: { length: 31, sepa: true },
  NL: { length: 18, sepa: true },
  NO: { length: 15, sepa: true },
  PL: { length: 28, sepa: true },
  PT: { length: 25, sepa: true },
  RO: { length: 24, sepa: true },
  SE: { length: 24, sepa: true },
  SI: { length: 19, sepa: true },
  SK: { length: 24, sepa: true },
  SM: { length: 27, sepa: true },
  VA: { length: 22, sepa: true },
  AE: { length: 23, sepa: false },
  AZ: { length: 28, sepa: false },
  BH: { length: 22, sepa: false },
  BR: { length: 29, sepa: false },
  CR: { length: 22, sepa: false },
  DO: { length: 28, sepa: false },
  EG: { length: 29, sepa: false },
  GE: { length: 22, sepa: false },
  GT: { length: 28, sepa: false },
  IL: { length: 23, sepa: false },
  JO: { length: 30, sepa: false },
  KW: { length: 30, sepa: false },
  KZ: { length: 20, sepa: false },
  LB: { length: 28, sepa: false },
  MU: { length: 30, sepa: false },
  PK: { length: 24, sepa: false },
  QA: { length: 29, sepa: false },
  SA: { length: 24, sepa: false },
  TN: { length: 24, sepa: false },
  TR: { length: 26, sepa: false },
  UA: { length: 29, sepa: false },
}

export type IbanCheck =
  | { ok: true; iban: string; country: string; sepa: boolean }
  | { ok: false; reason: 'format' | 'country' | 'length' | 'checksum' }

/** Removes spaces and upper-cases, the way IBANs are printed versus stored. */
export function normalizeAccountNumber(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase()
}

/** Validates an IBAN (already normalised) by country length and the mod-97 check digits. */
export function checkIban(iban: string): IbanCheck {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(iban)) return { ok: false, reason: 'format' }
  const country = iban.slice(0, 2)
  const rule = IBAN_COUNTRIES[country]
  if (!rule) return { ok: false, reason: 'country' }
  if (iban.length !== rule.length) return { ok: false, reason: 'length' }
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const char of rearranged) {
    const digits = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55)
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97
  }
  if (remainder !== 1) return { ok: false, reason: 'checksum' }
  return { ok: true, iban, country, sepa: rule.sepa }
}

/** BIC / SWIFT code: bank (4 letters), country (2 letters), location (2), optional branch (3). */
export function isBic(value: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value)
}

function cpfOrCnpjCheckDigitsMatch(digits: number[], weights: readonly number[][]): boolean {
  return weights.every((weight, index) => {
    const position = digits.length - weights.length + index
    const sum = weight.reduce((total, w, i) => total + w * digits[i]!, 0)
    const remainder = sum % 11
    const expected = remainder < 2 ? 0 : 11 - remainder
    return digits[position] === expected
  })
}

const CPF_WEIGHTS = [
  [10, 9, 8, 7, 6, 5, 4, 3, 2],
  [11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
]
const CNPJ_WEIGHTS = [
  [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
  [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
]

export type PixKeyType = 'cpf' | 'cnpj' | 'email' | 'phone' | 'evp'

/**
 * Classifies a PIX key (Banco Central's DICT types): CPF (11 digits) or CNPJ (14 digits) with
 * valid check digits, e-mail, `+55` phone number, or a random key (EVP, a UUID). Null when none.
 */
export function pixKeyType(key: string): PixKeyType | null {
  const digitsOnly = key.replace(/[.\-/]/g, '')
  if (/^\d{11}$/.test(digitsOnly) && !/^(\d)\1{10}$/.test(digitsOnly)) {
    return cpfOrCnpjCheckDigitsMatch(Array.from(digitsOnly, Number), CPF_WEIGHTS) ? 'cpf' : null
  }
  if (/^\d{14}$/.test(digitsOnly) && !/^(\d)\1{13}$/.test(digitsOnly)) {
    return cpfOrCnpjCheckDigitsMatch(Array.from(digitsOnly, Number), CNPJ_WEIGHTS) ? 'cnpj' : null
  }
  if (/^\+55\d{10,11}$/.test(key)) return 'phone'
  if (/^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/.test(key) && key.length <= 77) return 'email'
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) return 'evp'
  return null
}

/** Luhn (mod 10) check on a card number. */
export function passesLuhn(pan: string): boolean {
  let sum = 0
  let double = false
  for (let i = pan.length - 1; i >= 0; i--) {
    let digit = Number(pan[i])
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

export type CardBrand = 'VISA' | 'MSTR' | 'AMEX' | 'DISC'

/** Card network from the leading digits (IIN ranges), or null for networks Coinflow cannot pay. */
export function cardBrand(pan: string): CardBrand | null {
  if (/^4/.test(pan)) return 'VISA'
  if (/^(5[1-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)/.test(pan)) return 'MSTR'
  if (/^3[47]/.test(pan)) return 'AMEX'
  if (/^(6011|65|64[4-9])/.test(pan)) return 'DISC'
  return null
}

/**
 * How fast money pushed to a card of this brand lands. American Express cards cannot receive
 * push-to-card payouts; Discover settles the next business day; Visa Direct and Mastercard Send
 * are immediate.
 */
export function disbursementStatus(brand: CardBrand): 'Immediate' | 'Business Day' | 'Ineligible' {
  if (brand === 'AMEX') return 'Ineligible'
  if (brand === 'DISC') return 'Business Day'
  return 'Immediate'
}

/** A card number that can be tokenised: 13 to 19 digits passing Luhn, on a known network. */
export function isCardNumber(pan: string): boolean {
  return /^\d{13,19}$/.test(pan) && passesLuhn(pan) && cardBrand(pan) !== null
}
