/**
 * Tiny validators the generated `schemas.generated.ts` is written in: the contract's zod schemas
 * translated by `scripts/wire-schemas.ts`, so the browser checks every response against the
 * contract without shipping zod. A check returns the first problem as `path: what`, or nothing.
 */
export type Check = (value: unknown, path: string) => string | undefined

const problem = (path: string, what: string) => `${path}: ${what}`

/**
 * zod 4's `z.iso.datetime()`: UTC (`Z`), seconds, optional fraction, and a real calendar date.
 * zod spells the calendar out in a long pattern; a round trip through `Date` says the same in
 * fewer bytes (`wire.test.ts` holds the two to the same answers, and the generator fails if
 * zod's pattern ever changes).
 */
const ISO = /^(\d{4}-\d\d-\d\d)T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/

/** A string of `min`–`max` UTF-16 units (as zod counts), optionally matching `pattern`. */
export const string =
  (min = 0, max = Infinity, pattern?: RegExp): Check =>
  (value, path) =>
    typeof value !== 'string'
      ? problem(path, 'expected a string')
      : value.length < min || value.length > max
        ? problem(path, 'wrong length')
        : pattern && !pattern.test(value)
          ? problem(path, 'wrong format')
          : undefined

export const dateTime: Check = (value, path) => {
  const found = string(0, Infinity, ISO)(value, path)
  if (found) return found
  const day = (value as string).slice(0, 10)
  const time = Date.parse(day)
  // A day that does not exist (Feb 30) parses as NaN or rolls over into the next month.
  return time === time && new Date(time).toISOString().startsWith(day)
    ? undefined
    : problem(path, 'not a date')
}

export const url: Check = (value, path) => {
  try {
    new URL(value as string)
    return string()(value, path)
  } catch {
    return problem(path, 'expected a URL')
  }
}

/** A safe integer (as `z.int()`), or any finite number, within `min`–`max`. */
export const number =
  (integer: boolean, min = -Infinity, max = Infinity): Check =>
  (value, path) =>
    typeof value !== 'number' || !(integer ? Number.isSafeInteger(value) : Number.isFinite(value))
      ? problem(path, integer ? 'expected an integer' : 'expected a number')
      : value < min || value > max
        ? problem(path, 'out of range')
        : undefined

export const boolean: Check = (value, path) =>
  typeof value === 'boolean' ? undefined : problem(path, 'expected a boolean')

export const nil: Check = (value, path) =>
  value === null ? undefined : problem(path, 'expected null')

export const oneOf =
  (...allowed: unknown[]): Check =>
  (value, path) =>
    allowed.includes(value) ? undefined : problem(path, 'not an allowed value')

export const array =
  (item: Check): Check =>
  (value, path) => {
    if (!Array.isArray(value)) return problem(path, 'expected an array')
    for (let i = 0; i < value.length; i++) {
      const found = item(value[i], `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  }

/** Any of the variants (the contract's unions are discriminated, so at most one can match). */
export const union =
  (...variants: Check[]): Check =>
  (value, path) =>
    variants.some((variant) => !variant(value, path))
      ? undefined
      : problem(path, 'matches no variant')

/** An object with exactly these properties (closed unless `open`); all required but `optional`. */
export const object =
  (properties: Record<string, Check>, optional: string[] = [], open = false): Check =>
  (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return problem(path, 'expected an object')
    const record = value as Record<string, unknown>
    for (const key in properties) {
      if (!(key in record) && !optional.includes(key)) return problem(`${path}.${key}`, 'missing')
    }
    for (const key in record) {
      const check = properties[key]
      const found = check
        ? check(record[key], `${path}.${key}`)
        : open
          ? undefined
          : problem(`${path}.${key}`, 'not allowed')
      if (found) return found
    }
    return undefined
  }
