import * as contract from '@shareflow/contract'
import { z } from 'zod'
import type { JsonSchema, WireName, WireSchemas } from '../src/wire/validate'

/**
 * Every contract schema the client reads from the wire, plus the pieces they share (registered so
 * they are emitted once and referenced by name).
 */
const wire = {
  Session: contract.Session,
  KycStatus: contract.KycStatus,
  InquiryLink: contract.InquiryLink,
  Destination: contract.Destination,
  DestinationList: contract.DestinationList,
  Money: contract.Money,
  PositiveMoney: contract.PositiveMoney,
  QuoteOption: contract.QuoteOption,
  Quote: contract.Quote,
  Payout: contract.Payout,
  PayoutList: contract.PayoutList,
  ShareflowEvent: contract.ShareflowEvent,
  ErrorEnvelope: contract.ErrorEnvelope,
} satisfies Record<WireName, z.ZodType>

/** JSON Schemas (draft 2020-12, output side) of the wire, keyed by contract name. */
export function buildWireSchemas(): WireSchemas {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(wire)) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => id,
  })
  const out: Partial<WireSchemas> = {}
  for (const name of Object.keys(wire) as WireName[]) {
    const {
      $schema: _schema,
      $id: _id,
      ...schema
    } = schemas[name] as JsonSchema & {
      $schema?: string
      $id?: string
    }
    out[name] = schema
  }
  return out as WireSchemas
}
