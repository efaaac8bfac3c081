/**
 * Test-only: fast-check arbitraries for hostile input. Strings from every corner of Unicode (lone
 * surrogates, right-to-left overrides, NULs, astral characters), numbers at and past every
 * boundary, wrong types, prototype-pollution keys, oversized values, malformed JSON text, and
 * valid bodies with one field broken, so the fuzzer reaches past the first check of each route.
 */
import fc from 'fast-check'

/** Strings people and attackers send: empty, spaces, control and bidi characters, scripts, paths. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      '\ud800',
      '\udfff\ud800',
      '\u202eoll\u202c',
      '\ufeff',
      '𝕏𝕐ℤ',
      'Ω≈ç√∫',
      '👩‍👩‍👧‍👦',
      'null',
      'undefined',
      'true',
      '0',
      '-0',
      '1e309',
      'NaN',
      'Infinity',
      '__proto__',
      'constructor',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '../../etc/passwd',
      '%00',
      '%',
      '${jndi:ldap://x}',
      '{{7*7}}',
      'USD',
      'usd',
      'EUR ',
      'asap',
      'user-jane',
      '4169050000000004',
      '123-45-6789',
    ),
  },
  { weight: 1, arbitrary: fc.nat({ max: 5_000 }).map((n) => 'A'.repeat(n)) },
)

/** Numbers around every limit a route might check: zero, signs, fractions, 2^31, 2^53, huge, tiny. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    0.5,
    10.5,
    99.999,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    1_000_000_00,
    1_000_000_01,
    10_000_000_00,
    50300,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    -Number.MAX_VALUE,
    1e-300,
  ),
)

/** Any JSON-able value, nasty strings and numbers included, a few levels deep. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    nastyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const paths = (value: Json, prefix: string[] = []): string[][] => {
  if (value === null || typeof value !== 'object') return [prefix]
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value)
  return [prefix, ...entries.flatMap(([key, v]) => paths(v, [...prefix, key]))]
}

const setAt = (value: Json, path: string[], replacement: unknown): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path as [string, ...string[]]
  if (Array.isArray(value))
    return value.map((v, i) => (String(i) === head ? setAt(v, rest, replacement) : v))
  if (value && typeof value === 'object')
    return { ...value, [head]: setAt(value[head] ?? null, rest, replacement) }
  return replacement
}

const deleteAt = (value: Json, path: string[]): unknown => {
  if (path.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value))
    return value
  const [head, ...rest] = path as [string, ...string[]]
  if (rest.length === 0) {
    const { [head]: _dropped, ...others } = value
    return others
  }
  return { ...value, [head]: deleteAt(value[head] ?? null, rest) }
}

/**
 * A valid body with one thing broken: a field replaced by any value, a field removed, a key
 * added (a user id the browser must not choose, a prototype key), or the whole thing wrapped.
 */
export function brokenBody(valid: Json): fc.Arbitrary<unknown> {
  const where = fc.constantFrom(...paths(valid))
  return fc.oneof(
    fc.tuple(where, nastyValue).map(([path, replacement]) => setAt(valid, path, replacement)),
    where.map((path) => deleteAt(valid, path)),
    fc
      .tuple(
        fc.constantFrom('userId', 'user', 'id', '__proto__', 'constructor', 'admin', 'state'),
        nastyValue,
      )
      .map(([key, extra]) => ({ ...(valid as object), [key]: extra })),
    fc.constant([valid]),
  )
}

/** JSON text that is not what it claims: truncated, trailing garbage, duplicate keys, NaN, BOM. */
export function malformedJson(valid: Json): fc.Arbitrary<string> {
  const text = JSON.stringify(valid)
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
    nastyString.map((garbage) => `${text}${garbage}`),
    fc.constantFrom(
      `${text.slice(0, -1)},"amount":{"cents":1,"currency":"USD"}}`,
      `\ufeff${text}`,
      text.replace(/\d+/, 'NaN'),
      text.replace(/"/g, "'"),
      '{"a":'.repeat(2_000),
      '['.repeat(10_000),
      '{}'.repeat(3),
      '\u0000',
    ),
    nastyString,
  )
}

/** What goes in a request body: broken, malformed or arbitrary JSON, raw text, or nothing. */
export function hostileBody(valid: Json | undefined): fc.Arbitrary<string | undefined> {
  const template: Json = valid ?? {}
  return fc.oneof(
    { weight: 4, arbitrary: brokenBody(template).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: malformedJson(template) },
    { weight: 2, arbitrary: nastyValue.map((value) => JSON.stringify(value) ?? 'undefined') },
    { weight: 1, arbitrary: fc.constant(valid === undefined ? undefined : JSON.stringify(valid)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  )
}

/** Header values a client can actually send: printable Latin-1, no CR/LF (anything else never arrives). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
    maxLength: 80,
  }),
  fc.constantFrom('', ' ', 'x'.repeat(300), 'a'.repeat(8_000)),
)

/** An Idempotency-Key: well-formed ones, and the many ways to get it wrong. */
export const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_.:-]{8,40}$/),
  fc.constant(undefined),
  headerValue,
)

/** A path segment as a browser would encode it, or left raw (a lone `%`, a `..`). */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(
  nastyString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))),
  fc.constantFrom('%', '%zz', '..', '%2e%2e', '..%2f..%2fsecrets', '%00', 'po_unknown', ''),
)
