import { MAX_AMOUNT_CENTS, type Currency, type Money } from '@shareflow/contract'

/** Digits after the decimal point for `currency` (2 for every currency Shareflow pays in today). */
function minorDigits(locale: string, currency: Currency): number {
  return (
    new Intl.NumberFormat(locale, { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  )
}

/** `{ cents: 1250, currency: 'EUR' }` → `12,50 €` in `de-DE`. */
export function formatMoney(money: Money, locale: string): string {
  const { cents, currency } = money
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    cents / 10 ** minorDigits(locale, currency),
  )
}

/** The amount as a user would type it: `1250` EUR → `12,50` in `de-DE`. */
export function formatAmountInput(cents: number, currency: Currency, locale: string): string {
  const digits = minorDigits(locale, currency)
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    useGrouping: false,
  }).format(cents / 10 ** digits)
}

/** A numbering system's digits, 0 to 9 (`ar-u-nu-arab`: `٠١٢٣٤٥٦٧٨٩`). */
const digitsOf = (tag: string) =>
  new Intl.NumberFormat(tag, { useGrouping: false }).format(1234567890).slice(-1) +
  new Intl.NumberFormat(tag, { useGrouping: false }).format(123456789)

/**
 * Reads what a user typed as integer cents, with the locale's decimal and group separators
 * (`1.234,5` in `de-DE` is 123450) and its digits (`١٢٫٥٠` in `ar-EG` is 1250). `undefined` when
 * it is not a positive amount the BFF would accept (at most `MAX_AMOUNT_CENTS`).
 */
export function parseAmount(text: string, currency: Currency, locale: string): number | undefined {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345.6)
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.'
  const group = parts.find((p) => p.type === 'group')?.value ?? ','
  const digits = minorDigits(locale, currency)
  // A minus is never silently dropped: "-5" is not five.
  if (/[-−]/.test(text)) return undefined
  // The locale's own digits, and the Arabic-Indic and Persian ones (users of `ar-*` and `fa-*`
  // type either), as 0-9.
  const known = [locale, 'ar-u-nu-arab', 'fa-u-nu-arabext'].map(digitsOf).join('')
  let cleaned = text.replace(/\p{Nd}/gu, (digit) =>
    known.includes(digit) ? String(known.indexOf(digit) % 10) : digit,
  )
  // Swiss users type `'` for the group separator `’`, or the other way round.
  if ("'’".includes(group)) cleaned = cleaned.replace(/['’ʼ]/g, group)
  // Digits and separators only: currency signs, spaces and the direction marks around
  // right-to-left numbers go.
  const separators = `.,'’${decimal}${group}`
  cleaned = [...cleaned].filter((char) => /\d/.test(char) || separators.includes(char)).join('')
  // `12.50` typed in `de-DE` means 12,50: a group separator is always followed by three digits.
  const last = cleaned.lastIndexOf(group)
  if (!cleaned.includes(decimal) && last !== -1 && cleaned.length - last - 1 !== 3) {
    cleaned = cleaned.slice(0, last) + decimal + cleaned.slice(last + 1)
  }
  cleaned = cleaned.split(group).join('').replace(decimal, '.')
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned)
  if (!match || (match[2] ?? '').length > digits) return undefined
  const cents = Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0)
  return Number.isSafeInteger(cents) && cents > 0 && cents <= MAX_AMOUNT_CENTS ? cents : undefined
}

/** `in 3 hours`, `tomorrow`, `now`: the nearest whole unit, from `now`. */
export function formatRelative(iso: string, now: number, locale: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  const seconds = (Date.parse(iso) - now) / 1000
  if (Math.abs(seconds) < 60) return format.format(0, 'second')
  if (Math.abs(seconds) < 3600) return format.format(Math.round(seconds / 60), 'minute')
  if (Math.abs(seconds) < 86400) return format.format(Math.round(seconds / 3600), 'hour')
  return format.format(Math.round(seconds / 86400), 'day')
}

/** `Nov 23, 2026, 2:00 PM` in `en-US`. */
export function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  )
}
