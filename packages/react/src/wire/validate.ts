import type {
  Destination,
  DestinationList,
  ErrorEnvelope,
  InquiryLink,
  KycStatus,
  Money,
  Payout,
  PayoutList,
  PositiveMoney,
  Quote,
  QuoteOption,
  Session,
  ShareflowEvent,
} from '@shareflow/contract'

/** The subset of JSON Schema (draft 2020-12) that `z.toJSONSchema` emits for the contract. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null'
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  enum?: readonly unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  /** A contract name, e.g. `KycStatus`. */
  $ref?: string
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  minLength?: number
  maxLength?: number
  minItems?: number
  maxItems?: number
  pattern?: string
  format?: string
  description?: string
}

/** The contract types the client reads, by the name of their schema. */
export interface WireTypes {
  Session: Session
  KycStatus: KycStatus
  InquiryLink: InquiryLink
  Destination: Destination
  DestinationList: DestinationList
  Money: Money
  PositiveMoney: PositiveMoney
  QuoteOption: QuoteOption
  Quote: Quote
  Payout: Payout
  PayoutList: PayoutList
  ShareflowEvent: ShareflowEvent
  ErrorEnvelope: ErrorEnvelope
}
export type WireName = keyof WireTypes
export type WireSchemas = Record<WireName, JsonSchema>

const patterns = new Map<string, RegExp>()

function isUrl(value: string): boolean {
  try {
    new URL(value)
    return true
  } catch {
    return false
  }
}

/**
 * Checks `value` against `schema`; returns the first problem as `path: what`, or `undefined` when
 * the value conforms. Unknown keywords are ignored, as JSON Schema says they must be.
 */
export function findProblem(
  schemas: WireSchemas,
  schema: JsonSchema,
  value: unknown,
  path = '$',
): string | undefined {
  if (schema.$ref) {
    const target = schemas[schema.$ref as WireName]
    if (!target) return `${path}: unknown schema ${schema.$ref}`
    return findProblem(schemas, target, value, path)
  }
  if ('const' in schema && value !== schema.const)
    return `${path}: expected ${String(schema.const)}`
  if (schema.enum && !schema.enum.includes(value)) return `${path}: not one of the allowed values`
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives) {
    const matches = alternatives.filter((s) => !findProblem(schemas, s, value, path)).length
    if (matches === 0 || (schema.oneOf && matches > 1)) return `${path}: matches no variant`
  }
  switch (schema.type) {
    case undefined:
      return undefined
    case 'null':
      return value === null ? undefined : `${path}: expected null`
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${path}: expected a boolean`
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${path}: expected a number`
      if (schema.type === 'integer' && !Number.isInteger(value))
        return `${path}: expected an integer`
      if (
        (schema.minimum !== undefined && value < schema.minimum) ||
        (schema.maximum !== undefined && value > schema.maximum) ||
        (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) ||
        (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
      )
        return `${path}: out of range`
      return undefined
    }
    case 'string': {
      if (typeof value !== 'string') return `${path}: expected a string`
      // UTF-16 length, as zod counts it.
      if (
        (schema.minLength !== undefined && value.length < schema.minLength) ||
        (schema.maxLength !== undefined && value.length > schema.maxLength)
      )
        return `${path}: wrong length`
      if (schema.pattern) {
        let pattern = patterns.get(schema.pattern)
        if (!pattern) patterns.set(schema.pattern, (pattern = new RegExp(schema.pattern)))
        if (!pattern.test(value)) return `${path}: wrong format`
      }
      if (schema.format === 'uri' && !isUrl(value)) return `${path}: expected a URL`
      return undefined
    }
    case 'array': {
      if (!Array.isArray(value)) return `${path}: expected an array`
      if (
        (schema.minItems !== undefined && value.length < schema.minItems) ||
        (schema.maxItems !== undefined && value.length > schema.maxItems)
      )
        return `${path}: wrong number of items`
      if (schema.items) {
        for (let i = 0; i < value.length; i++) {
          const problem = findProblem(schemas, schema.items, value[i], `${path}[${i}]`)
          if (problem) return problem
        }
      }
      return undefined
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return `${path}: expected an object`
      const record = value as Record<string, unknown>
      const properties = schema.properties ?? {}
      for (const key of schema.required ?? []) {
        if (!(key in record)) return `${path}.${key}: missing`
      }
      for (const [key, entry] of Object.entries(record)) {
        const property = properties[key]
        if (property) {
          const problem = findProblem(schemas, property, entry, `${path}.${key}`)
          if (problem) return problem
        } else if (schema.additionalProperties === false) {
          return `${path}.${key}: not allowed`
        } else if (typeof schema.additionalProperties === 'object') {
          const problem = findProblem(schemas, schema.additionalProperties, entry, `${path}.${key}`)
          if (problem) return problem
        }
      }
      return undefined
    }
  }
}
