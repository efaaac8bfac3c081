/**
 * Finds secrets and personal data in log lines, for tests that capture a whole run's log (the
 * BFF's tests, the demo's end-to-end suite) and for hosts that want the same check in their CI.
 * It looks independently of the logger's redaction, which it is there to catch out: values known
 * to be secret or personal, anything shaped like a vendor key, a signed token, an SSN, an email
 * address or a full account or card number, and any field named like a birth date, SSN or
 * account number whose value is not `[redacted]`. A finding names the line and the kind, never
 * the value.
 *
 * @module
 */

export interface LeakFinding {
  /** 1-based index of the line in the input. */
  line: number
  kind: string
}

export interface KnownSensitiveValues {
  /** Keys, secrets and tokens configured for the run. */
  secrets?: readonly string[]
  /** Personal data the run used: birth dates, ID numbers, account numbers, IBANs, PIX keys. */
  personal?: readonly string[]
}

const shapes: Array<[string, RegExp]> = [
  ['a Persona API key', /\bpersona_(?:sandbox|production)_[A-Za-z0-9_]{8,}/],
  ['a webhook secret', /\bwbhsec_[A-Za-z0-9_]{8,}/],
  ['a signed token (JWT)', /\beyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]{6,}/],
  ['a bearer credential', /\bBearer\s+[\w.~+/=-]{8,}/i],
  ['an SSN', /\b\d{3}-\d{2}-\d{4}\b/],
  ['an email address', /[\w.+-]+@[\w-]+\.[A-Za-z]{2,}/],
  ['a full account or card number', /(?<![\w.-])\d{9,19}(?![\w.-])/],
  ['an IBAN', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/],
]

/** Field names whose value must never appear in a log line, compared without case or `-`/`_`. */
const sensitiveFields =
  /^(?:ssn|socialsecuritynumber|identificationnumber|dob|birthdate|dateofbirth|accountnumber|routingnumber|iban|pixkey|cardnumber|pan|cvv)$/

const REDACTED = '[redacted]'

function* strings(value: unknown, key: string | null): Generator<[string | null, string]> {
  if (typeof value === 'string') yield [key, value]
  else if (Array.isArray(value)) for (const item of value) yield* strings(item, key)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* strings(v, k)
  }
}

/**
 * @example
 * expect(findLeaks(logLines, { secrets: [apiKey, webhookSecret], personal: ['1994-03-17'] })).toEqual([])
 */
export function findLeaks(
  lines: readonly string[],
  known: KnownSensitiveValues = {},
): LeakFinding[] {
  const findings: LeakFinding[] = []
  const secrets = (known.secrets ?? []).filter((value) => value.length >= 6)
  const personal = (known.personal ?? []).filter((value) => value.length >= 4)
  lines.forEach((text, index) => {
    const line = index + 1
    const kinds = new Set<string>()
    for (const secret of secrets) if (text.includes(secret)) kinds.add('a configured secret')
    for (const value of personal) if (text.includes(value)) kinds.add('known personal data')
    let record: unknown
    try {
      record = JSON.parse(text)
    } catch {
      record = text
    }
    for (const [key, value] of strings(record, null)) {
      if (
        key &&
        sensitiveFields.test(key.toLowerCase().replace(/[-_\s]/g, '')) &&
        value !== REDACTED
      ) {
        kinds.add(`an unredacted "${key}" field`)
      }
      for (const [kind, pattern] of shapes) if (pattern.test(value)) kinds.add(kind)
    }
    for (const kind of kinds) findings.push({ line, kind })
  })
  return findings
}
