import * as contract from '@shareflow/contract'
import { z } from 'zod'
import type { WireName } from '../src/wire/index'

/** zod 4's `z.iso.datetime()` pattern, which `check.ts`'s `dateTime` is tested to match. */
const DATE_TIME =
  '^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z))$'

/** The schemas the client reads from the wire. */
const wire: Record<WireName, z.ZodType> = {
  Session: contract.Session,
  KycStatus: contract.KycStatus,
  InquiryLink: contract.InquiryLink,
  DestinationList: contract.DestinationList,
  Balance: contract.Balance,
  Quote: contract.Quote,
  Payout: contract.Payout,
  PayoutList: contract.PayoutList,
  ShareflowEvent: contract.ShareflowEvent,
  ErrorEnvelope: contract.ErrorEnvelope,
}

/** Pieces they share, emitted once and referenced by name. */
const shared: Record<string, z.ZodType> = {
  Speed: contract.Speed,
  Currency: contract.Currency,
  DestinationType: contract.DestinationType,
  Money: contract.Money,
  PositiveMoney: contract.PositiveMoney,
  Destination: contract.Destination,
  QuoteOption: contract.QuoteOption,
}

/** The JSON Schema keywords `check.ts` can express; anything else fails the generator. */
const KEYWORDS = new Set([
  '$schema',
  '$id',
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
])

type Node = Record<string, unknown>

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name))

function emit(node: Node, path: string, refs: Set<string>): string {
  for (const keyword of Object.keys(node)) {
    if (!KEYWORDS.has(keyword)) {
      throw new Error(`${path}: the kit cannot check \`${keyword}\` yet; teach src/wire/check.ts`)
    }
  }
  if (typeof node.$ref === 'string') {
    refs.add(node.$ref)
    return node.$ref
  }
  if (node.enum)
    return `oneOf(${(node.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')})`
  if ('const' in node) return `oneOf(${JSON.stringify(node.const)})`
  const variants = (node.anyOf ?? node.oneOf) as Node[] | undefined
  if (variants) return `union(${variants.map((v, i) => emit(v, `${path}|${i}`, refs)).join(', ')})`
  const min = node.minimum ?? node.minLength
  const max = node.maximum ?? node.maxLength
  switch (node.type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, Node>
      const required = new Set((node.required as string[] | undefined) ?? [])
      const optional = Object.keys(properties).filter((name) => !required.has(name))
      const open = node.additionalProperties !== false
      if (open && node.additionalProperties !== undefined && node.additionalProperties !== true) {
        throw new Error(`${path}: only open or closed objects can be checked`)
      }
      const body = Object.entries(properties)
        .map(([name, p]) => `${key(name)}: ${emit(p, `${path}.${name}`, refs)}`)
        .join(', ')
      const args = [`{ ${body} }`]
      if (optional.length > 0 || open) args.push(JSON.stringify(optional))
      if (open) args.push('true')
      return `object(${args.join(', ')})`
    }
    case 'string':
      if (node.format === 'date-time') {
        if (node.pattern !== DATE_TIME) throw new Error(`${path}: zod's datetime changed`)
        return 'dateTime'
      }
      if (node.format === 'uri') return 'url'
      if (node.format !== undefined) throw new Error(`${path}: format ${String(node.format)}`)
      if (node.pattern !== undefined) {
        return `string(${min ?? 0}, ${max ?? 'Infinity'}, /${String(node.pattern)}/)`
      }
      return min === undefined && max === undefined
        ? 'string()'
        : `string(${min ?? 0}, ${max ?? 'Infinity'})`
    case 'integer':
    case 'number': {
      const integer = node.type === 'integer'
      const low = min === Number.MIN_SAFE_INTEGER ? undefined : min
      const high = max === Number.MAX_SAFE_INTEGER ? undefined : max
      const args = [String(integer)]
      if (low !== undefined || high !== undefined) args.push(String(low ?? '-Infinity'))
      if (high !== undefined) args.push(String(high))
      return `number(${args.join(', ')})`
    }
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'nil'
    case 'array':
      return `array(${emit(node.items as Node, `${path}[]`, refs)})`
    default:
      throw new Error(`${path}: cannot check type ${String(node.type)}`)
  }
}

/** The TypeScript source of `src/wire/schemas.generated.ts` (before formatting). */
export function generateWireSource(): string {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries({ ...shared, ...wire })) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => id,
  })
  const definitions = new Map<string, { code: string; refs: Set<string> }>()
  for (const name of Object.keys(schemas)) {
    const refs = new Set<string>()
    definitions.set(name, { code: emit(schemas[name] as Node, name, refs), refs })
  }
  // Each definition after the ones it refers to (the contract has no cycles).
  const ordered: string[] = []
  const visit = (name: string) => {
    if (ordered.includes(name)) return
    for (const ref of definitions.get(name)!.refs) visit(ref)
    ordered.push(name)
  }
  for (const name of definitions.keys()) visit(name)
  const used = [
    'array',
    'boolean',
    'dateTime',
    'nil',
    'number',
    'object',
    'oneOf',
    'string',
    'union',
    'url',
  ]
  const code = ordered.map((name) => `const ${name} = ${definitions.get(name)!.code}`).join('\n')
  const helpers = used.filter((helper) => new RegExp(`\\b${helper}\\b`).test(code))
  return `// Generated by scripts/generate-wire-schemas.ts from @shareflow/contract. Do not edit.
import { ${helpers.join(', ')} } from './check'

${code}

/** A check per contract schema the client reads, keyed by the schema's name. */
export const wire = { ${Object.keys(wire).join(', ')} }
`
}
