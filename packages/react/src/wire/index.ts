import type {
  Balance,
  DestinationList,
  ErrorEnvelope,
  InquiryLink,
  KycStatus,
  Payout,
  PayoutList,
  Quote,
  Session,
  ShareflowEvent,
} from '@shareflow/contract'
import { wire } from './schemas.generated'

/** The contract types the client reads, by the name of their schema. */
export interface WireTypes {
  Session: Session
  KycStatus: KycStatus
  InquiryLink: InquiryLink
  DestinationList: DestinationList
  Balance: Balance
  Quote: Quote
  Payout: Payout
  PayoutList: PayoutList
  ShareflowEvent: ShareflowEvent
  ErrorEnvelope: ErrorEnvelope
}
export type WireName = keyof WireTypes

/** The first way `value` breaks the contract's `name` schema (`$.kyc.state: …`), if any. */
export const findProblem = (name: WireName, value: unknown): string | undefined =>
  wire[name](value, '$')

/** `value` as the contract type when it conforms, else `undefined`. */
export const parseWire = <N extends WireName>(name: N, value: unknown): WireTypes[N] | undefined =>
  findProblem(name, value) ? undefined : (value as WireTypes[N])
