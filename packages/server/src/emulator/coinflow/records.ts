import type { CardBrand } from './accounts'
import type { SettlementCurrency, WithdrawSpeed } from './pricing'

/** What the emulated Coinflow knows about a person; never returned whole, never logged. */
export interface KnownIdentity {
  firstName: string | null
  lastName: string | null
  /** `YYYY-MM-DD`. */
  dob: string | null
  address1: string | null
  city: string | null
  state: string | null
  zip: string | null
  /** ISO 3166-1 alpha-2. */
  country: string | null
  ssnLast4: string | null
}

export type VerificationStatus =
  'pending' | 'partial-approval' | 'approved' | 'rejected' | 'expired'
export type VerificationVendor = 'persona' | 'sumsub_docv' | 'middesk' | 'persona_kyb'

/**
 * Why an unapproved withdrawer is not approved yet: Coinflow is still reviewing a shared identity
 * (`review`, nothing for the person to do), or the person must fill in missing details or upload a
 * document on the verification page.
 */
export type AwaitingStep = 'review' | 'details' | 'document'

export interface Verification {
  reference: string
  status: VerificationStatus
  vendor: VerificationVendor
  shareToken?: string
  shareTokenStatus?: string
}

interface AccountBase {
  token: string
  createdAtMs: number
  deleted: boolean
  /** Hash of the account (or card) number: the same account linked twice stays one account. */
  accountHash: string
  /** Name of the account holder, when known; `suspended` makes payouts to it fail (sandbox rule). */
  holderName: string | null
}

export interface BankAccount extends AccountBase {
  kind: 'bank'
  alias: string
  last4: string
  reference: string
  accountType: 'checking' | 'savings'
}

export interface CardAccount extends AccountBase {
  kind: 'card'
  last4: string
  brand: CardBrand
  disbursementStatus: 'Immediate' | 'Business Day'
  expMonth: string
  expYear: string
}

export interface IbanAccount extends AccountBase {
  kind: 'iban'
  alias: string
  last4: string
  reference: string
  sortCode: string
  bic: string | null
  currency: 'EUR' | 'GBP'
}

export interface PixAccount extends AccountBase {
  kind: 'pix'
  key: string
}

export type PayoutAccount = BankAccount | CardAccount | IbanAccount | PixAccount
export type AccountKind = PayoutAccount['kind']

export interface Withdrawer {
  /** Coinflow's record id (`_id`). */
  id: string
  /** The merchant's id for the user (`x-coinflow-auth-user-id`). */
  userId: string
  email: string
  createdAtMs: number
  identity: KnownIdentity
  verification: Verification
  awaiting: AwaitingStep | null
  rejectionReasons: string[]
  /** Secret path segment of this withdrawer's verification link. */
  verificationLinkId: string
  /** Where the verification page sends the person when done. */
  redirectLink: string | null
  accounts: PayoutAccount[]
  /** A business registered with `POST /withdraw/kyb`: what Coinflow keeps of it. */
  business?: KnownBusiness
}

/** What the emulated Coinflow knows about a registered business; never returned whole. */
export interface KnownBusiness {
  name: string
  /** Only the last four digits of the tax number are kept. */
  tinLast4: string | null
  /** The beneficial owners, each verified on its own (`UboEntry`). */
  ubos: { reference: string; name: string; status: VerificationStatus }[]
}

export type PayoutStatus = 'pending' | 'completed' | 'failed'

export interface Payout {
  transferId: string
  signature: string
  idempotencyKey: string
  /** The request a replay must match: same key with a different request is refused. */
  fingerprint: string
  userId: string
  withdrawerId: string
  accountToken: string
  requestedSpeed: WithdrawSpeed
  effectiveSpeed: WithdrawSpeed
  amountCents: number
  feeCents: number
  settlementCents: number
  settlementCurrency: SettlementCurrency
  exchangeRate: number
  status: PayoutStatus
  provider: string
  createdAtMs: number
  updatedAtMs: number
  expectedDeliveryMs: number
  detailMessage: string | null
}

/** A webhook the emulator raised, as sent (kept even when no webhook URL is configured). */
export interface CoinflowWebhookEvent {
  eventType:
    | 'KYC Created'
    | 'KYC Success'
    | 'KYC Failure'
    | 'Withdraw Pending'
    | 'Withdraw Success'
    | 'Withdraw Failure'
  category: 'KYC' | 'Withdraw'
  created: string
  data: Record<string, unknown>
}
