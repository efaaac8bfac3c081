/**
 * A typed Coinflow client for the withdraw side: session keys, the withdrawer (KYC state and
 * linked payout accounts), registration by Persona share token, destinations, delegated quotes
 * and payouts, and payout lookup. Vendor JSON is parsed and mapped here into small internal
 * shapes; account numbers and keys never leave this file unmasked.
 *
 * Coinflow's `Authorization` header is the raw merchant API key (no `Bearer`), and user-scoped
 * calls add `x-coinflow-auth-user-id`: the host's own user id.
 *
 * @see https://docs.coinflow.cash/api-reference
 * @module
 */
import type { CoinflowEnv, Destination, Speed } from '@shareflow/contract'
import { z } from 'zod'
import {
  createUpstreamTransport,
  type UpstreamCallCounter,
  type UpstreamTransportOptions,
  type VendorClientTransportOptions,
} from './http'
import { upstreamFailures } from './failures'

/** REST base and hosted-UI origin per Coinflow environment (from `@coinflowlabs/react`'s `CoinflowUtils`). */
export const coinflowHosts: Record<CoinflowEnv, { api: string; ui: string }> = {
  prod: { api: 'https://api.coinflow.cash/api', ui: 'https://coinflow.cash' },
  sandbox: { api: 'https://api-sandbox.coinflow.cash/api', ui: 'https://sandbox.coinflow.cash' },
  staging: { api: 'https://api-staging.coinflow.cash/api', ui: 'https://staging.coinflow.cash' },
  'staging-live': {
    api: 'https://api-staging-live.coinflow.cash/api',
    ui: 'https://staging-live.coinflow.cash',
  },
  local: { api: 'http://localhost:5000/api', ui: 'http://localhost:3000' },
}

/** Coinflow's `VerificationStatus` (open: unknown values are kept as-is). */
export type CoinflowVerificationStatus =
  'pending' | 'partial-approval' | 'approved' | 'rejected' | 'expired' | (string & {})

export interface CoinflowVerification {
  status: CoinflowVerificationStatus
  vendor: string | null
  /** Persona share-token status as Coinflow last saw it (`created | pending | redeemed | expired | failed`). */
  shareTokenStatus: string | null
}

/**
 * The user's linked payout accounts, deleted ones dropped, in Coinflow's own field names (so
 * `payouts/destinations.ts` maps them to masked contract `Destination`s). Internal only: `pixes[].key`
 * is the user's PIX key and must never reach a browser or a log.
 */
export interface CoinflowAccounts {
  bankAccounts: Array<{ token: string; last4: string; alias: string }>
  cards: Array<{
    token: string
    last4: string
    /** `VISA | MSTR | AMEX | DISC`. */
    type: string
    /** `Immediate | Business Day | Ineligible | Unknown`. */
    disbursementStatus: string
    currency?: string
  }>
  /** UK accounts carry a `sortCode` (GBP); the rest are SEPA (EUR). */
  ibans: Array<{ token: string; last4: string; alias: string; sortCode?: string }>
  pixes: Array<{ token: string; key: string }>
}

export interface CoinflowWithdrawer {
  verification: CoinflowVerification
  accounts: CoinflowAccounts
}

export type WithdrawerLookup =
  | { kind: 'registered'; withdrawer: CoinflowWithdrawer }
  | {
      kind: 'verification_required'
      verification: CoinflowVerification
      verificationLink: string | null
      rejectionReasons: string[]
    }
  | { kind: 'not_registered' }

export type ShareTokenRegistration =
  | { kind: 'registered'; verification: CoinflowVerification }
  | {
      kind: 'verification_required'
      verification: CoinflowVerification | null
      verificationLink: string | null
    }
  /** 409: a withdrawer already exists for this user; read it with `getWithdrawer`. */
  | { kind: 'already_registered' }
  /**
   * Another 4xx (400 most often: the shared applicant is not approved, their verification
   * incomplete or failed). Sending the same registration again changes nothing.
   */
  | { kind: 'client_error'; status: number }

export interface CurrencyCents {
  cents: number
  currency: string
}

export interface SpeedQuote {
  fee: CurrencyCents
  limit: CurrencyCents
  finalSettlement: CurrencyCents
  expectedDeliveryDate: string
  expectedDeliveryDateISO: string | null
}

/** Coinflow's `DelegatedPayoutQuote`: one entry per speed the kit supports, plus the totals. */
export type DelegatedQuote = Partial<Record<Speed, SpeedQuote>> & {
  quote: CurrencyCents
  userPayout: CurrencyCents
  merchantFees: CurrencyCents
  totalMerchantDebit: CurrencyCents
}

export type DelegatedPayoutResult =
  | { kind: 'submitted'; signature: string; effectiveSpeed: string }
  /** 402: the merchant's Coinflow balance cannot cover it. */
  | { kind: 'insufficient_funds' }
  | { kind: 'verification_required'; verificationLink: string | null }
  /**
   * Any other answer: a 4xx (the transport throws for 5xx and 429 that persist), so the payout
   * was not made and sending it again changes nothing.
   */
  | { kind: 'client_error'; status: number }

export interface CoinflowWithdrawal {
  status: 'completed' | 'failed' | 'pending' | (string & {})
  speed: string | null
  idempotencyKey: string | null
  amount: CurrencyCents | null
  expectedDeliveryDate: string | null
  detailMessage: string | null
}

const str = z.string()
const optionalString = z
  .string()
  .nullish()
  .transform((v) => v ?? null)
const Cents = z.object({ cents: z.number().int(), currency: z.string().default('USD') })

const Verification = z.object({
  status: z.string(),
  vendor: optionalString,
  shareTokenStatus: optionalString,
})

const live = <T extends { isDeleted?: boolean | null | undefined }>(items: T[] | undefined) =>
  (items ?? []).filter((item) => !item.isDeleted)

const Withdrawer = z.object({
  verification: Verification,
  bankAccounts: z
    .array(
      z.object({
        token: str,
        last4: str,
        alias: str.default(''),
        isDeleted: z.boolean().nullish(),
      }),
    )
    .optional(),
  cards: z
    .array(
      z.object({
        token: str,
        last4: str,
        type: str.default(''),
        disbursementStatus: str.default('Unknown'),
        currency: str.nullish(),
        isDeleted: z.boolean().nullish(),
      }),
    )
    .optional(),
  ibans: z
    .array(
      z.object({
        token: str,
        last4: str,
        alias: str.default(''),
        sortCode: str.nullish(),
        isDeleted: z.boolean().nullish(),
      }),
    )
    .optional(),
  pixes: z.array(z.object({ token: str, key: str, isDeleted: z.boolean().nullish() })).optional(),
})

function toWithdrawer(raw: z.infer<typeof Withdrawer>): CoinflowWithdrawer {
  return {
    verification: raw.verification,
    accounts: {
      bankAccounts: live(raw.bankAccounts).map(({ token, last4, alias }) => ({
        token,
        last4,
        alias,
      })),
      cards: live(raw.cards).map(({ token, last4, type, disbursementStatus, currency }) => ({
        token,
        last4,
        type,
        disbursementStatus,
        ...(currency ? { currency } : {}),
      })),
      ibans: live(raw.ibans).map(({ token, last4, alias, sortCode }) => ({
        token,
        last4,
        alias,
        ...(sortCode ? { sortCode } : {}),
      })),
      pixes: live(raw.pixes).map(({ token, key }) => ({ token, key })),
    },
  }
}

const VerificationRequired = z.object({
  verification: Verification.optional(),
  verificationLink: optionalString,
  rejectionReasons: z.array(str).optional(),
})

const SpeedQuoteSchema = z.object({
  fee: Cents,
  limit: Cents,
  finalSettlement: Cents,
  expectedDeliveryDate: str,
  expectedDeliveryDateISO: optionalString,
})

const Withdrawal = z.object({
  status: str,
  speed: optionalString,
  idempotencyKey: optionalString,
  amount: Cents.nullish().transform((v) => v ?? null),
  expectedDeliveryDate: optionalString,
  detailMessage: optionalString,
})

const QUOTE_SPEEDS = ['card', 'asap', 'same_day', 'standard', 'iban', 'pix'] as const

// Every response shape is built once, here: zod compiles a schema on its first parse, so one
// built inside a call would be compiled again on every request.
const SessionKeyResponse = z.object({ key: str.min(1) })
const WithdrawerResponse = z.object({ withdrawer: Withdrawer })
const RegistrationResponse = z.object({ withdrawer: z.object({ verification: Verification }) })
const DelegatedQuoteResponse = z.object({
  quote: Cents,
  userPayout: Cents,
  merchantFees: Cents,
  totalMerchantDebit: Cents,
  ...Object.fromEntries(QUOTE_SPEEDS.map((speed) => [speed, SpeedQuoteSchema.optional()])),
})
const PayoutSubmitted = z.object({ signature: str, effectiveSpeed: str })
const PayoutVerificationRequired = z.object({ verificationLink: optionalString })
const WithdrawalResponse = z.object({ withdrawal: Withdrawal })
const BalanceResponse = z.object({ balance: Cents })

const failures = upstreamFailures(
  'coinflow',
  'Payouts are not responding right now. Nothing was lost; please try again shortly.',
)
const { parse, unexpected } = failures

export interface DelegatedPayoutInput {
  userId: string
  /** The destination's account token. */
  account: string
  speed: Speed
  amount: { cents: number; currency: string }
  /** Sent in the body, identical on every retry, so Coinflow pays at most once. */
  idempotencyKey: string
}

/** Coinflow's `KybPassiveRequestBody`: the business and its beneficial owners. */
export interface BusinessRegistrationBody {
  merchantId: string
  redirectLink?: string
  info: {
    name: string
    tin: string
    website: string
    dateFormed?: string
    entityType?: string
    business: {
      address1: string
      address2?: string
      city: string
      state: string
      zip: string
      country: string
    }
    person: { email: string; firstName: string; lastName: string }
  }
  ubos: Array<{
    firstName: string
    surName: string
    dob: string
    ssn: string
    physicalAddress: string
    city: string
    state: string
    zip: string
    country: string
  }>
}

/** The Coinflow operations the BFF uses, every one counted on the journey's counter. */
export interface CoinflowApi {
  /** A short-lived key that lets the browser frame Coinflow's hosted pages for this user. */
  getSessionKey(userId: string): Promise<string>
  getWithdrawer(userId: string, options?: { redirectLink?: string }): Promise<WithdrawerLookup>
  /**
   * `POST /withdraw/kyc/share-token` with `vendor: persona`. Never retried here: a lost answer
   * may hide a registration, so the caller checks `getWithdrawer` before trying again.
   */
  registerWithShareToken(input: {
    userId: string
    shareToken: string
    email: string
  }): Promise<ShareTokenRegistration>
  /**
   * `POST /withdraw/kyb`, passive form (business `info` and `ubos`). Never retried here, as a
   * lost answer may hide a registration: the caller reads `getWithdrawer` before trying again.
   */
  registerBusiness(input: {
    userId: string
    body: BusinessRegistrationBody
  }): Promise<ShareTokenRegistration & { rejectionReasons?: string[] }>
  quoteDelegatedPayout(input: Omit<DelegatedPayoutInput, 'idempotencyKey'>): Promise<DelegatedQuote>
  payoutDelegated(input: DelegatedPayoutInput): Promise<DelegatedPayoutResult>
  /** By payout signature or transfer id; `null` when Coinflow does not know it. */
  getWithdrawal(withdrawalId: string): Promise<CoinflowWithdrawal | null>
  getMerchantBalance(): Promise<CurrencyCents>
  /** Returns the new account's token. */
  addIban(
    userId: string,
    input: {
      number: string
      sortCode?: string
      bic?: string
      accountHolder?: string
      alias?: string
    },
  ): Promise<{ ok: true; token: string } | { ok: false; status: number }>
  addPix(
    userId: string,
    input: { pixKey: string },
  ): Promise<{ ok: true; token: string } | { ok: false; status: number }>
  addCard(
    userId: string,
    input: { cardToken: string; expMonth: string; expYear: string },
  ): Promise<{ ok: true } | { ok: false; status: number }>
  deleteDestination(
    userId: string,
    destination: Pick<Destination, 'id' | 'type'>,
  ): Promise<{ ok: boolean; status: number }>
}

export interface CoinflowClient extends CoinflowApi {
  readonly merchantId: string
  readonly env: CoinflowEnv
  /** The origin of Coinflow's hosted pages for `env` (or the configured override). */
  readonly uiOrigin: string
  withCalls(counter: UpstreamCallCounter): CoinflowApi
}

export interface CoinflowClientOptions
  extends VendorClientTransportOptions, Pick<UpstreamTransportOptions, 'budget'> {
  apiKey: string
  merchantId: string
  /** Default `sandbox`. */
  env?: CoinflowEnv
  /** Overrides the REST base for `env` (the emulator). */
  baseUrl?: string
  /** Overrides the hosted-UI origin for `env` (the emulator's hosted pages). */
  uiOrigin?: string
}

const destinationPaths: Record<Destination['type'], string> = {
  bank_account: 'account',
  card: 'card',
  iban: 'iban',
  pix: 'pix',
}

/**
 * @example
 * const coinflow = createCoinflowClient({ apiKey, merchantId, env: 'sandbox', fetch: emulator.fetch })
 * const key = await coinflow.getSessionKey(user.id)
 */
export function createCoinflowClient({
  apiKey,
  merchantId,
  env = 'sandbox',
  baseUrl,
  uiOrigin,
  ...transportOptions
}: CoinflowClientOptions): CoinflowClient {
  const transport = createUpstreamTransport({
    ...transportOptions,
    vendor: 'coinflow',
    baseUrl: baseUrl ?? coinflowHosts[env].api,
    headers: () => ({ Authorization: apiKey }),
  })

  function api(counter: UpstreamCallCounter | undefined): CoinflowApi {
    const send = failures.sender(transport, counter)
    const asUser = (userId: string) => ({ 'x-coinflow-auth-user-id': userId })

    const addAccount = async (
      operation: string,
      userId: string,
      path: string,
      body: unknown,
    ): Promise<{ ok: true; token: string } | { ok: false; status: number }> => {
      const response = await send({
        operation,
        method: 'POST',
        path,
        headers: asUser(userId),
        body,
      })
      if (response.status !== 200 && response.status !== 201) {
        return { ok: false, status: response.status }
      }
      // Coinflow answers these with the new token as a JSON string.
      return { ok: true, token: parse(str, response, operation) }
    }

    return {
      async getSessionKey(userId) {
        const response = await send({
          operation: 'coinflow.getSessionKey',
          method: 'GET',
          path: '/auth/session-key',
          headers: asUser(userId),
        })
        if (response.status !== 200) throw unexpected('getSessionKey', response)
        return parse(SessionKeyResponse, response, 'getSessionKey').key
      },

      async getWithdrawer(userId, options = {}) {
        const response = await send({
          operation: 'coinflow.getWithdrawer',
          method: 'GET',
          path: '/withdraw',
          query: { redirectLink: options.redirectLink },
          headers: asUser(userId),
        })
        if (response.status === 401 || response.status === 404) return { kind: 'not_registered' }
        if (response.status === 451) {
          const body = parse(VerificationRequired, response, 'getWithdrawer')
          return {
            kind: 'verification_required',
            verification: body.verification ?? {
              status: 'pending',
              vendor: null,
              shareTokenStatus: null,
            },
            verificationLink: body.verificationLink,
            rejectionReasons: body.rejectionReasons ?? [],
          }
        }
        if (response.status !== 200) throw unexpected('getWithdrawer', response)
        const body = parse(WithdrawerResponse, response, 'getWithdrawer')
        return { kind: 'registered', withdrawer: toWithdrawer(body.withdrawer) }
      },

      async registerWithShareToken({ userId, shareToken, email }) {
        const response = await send({
          operation: 'coinflow.registerShareToken',
          method: 'POST',
          path: '/withdraw/kyc/share-token',
          headers: asUser(userId),
          body: { vendor: 'persona', shareToken, email },
          maxAttempts: 1,
        })
        if (response.status === 200 || response.status === 201) {
          const body = parse(RegistrationResponse, response, 'registerShareToken')
          return { kind: 'registered', verification: body.withdrawer.verification }
        }
        if (response.status === 451) {
          const body = parse(VerificationRequired, response, 'registerShareToken')
          return {
            kind: 'verification_required',
            verification: body.verification ?? null,
            verificationLink: body.verificationLink,
          }
        }
        if (response.status === 409) return { kind: 'already_registered' }
        if (response.status >= 400 && response.status < 500) {
          return { kind: 'client_error', status: response.status }
        }
        throw unexpected('registerShareToken', response)
      },

      async registerBusiness({ userId, body }) {
        const response = await send({
          operation: 'coinflow.registerBusiness',
          method: 'POST',
          path: '/withdraw/kyb',
          headers: asUser(userId),
          body,
          maxAttempts: 1,
        })
        if (response.status === 200 || response.status === 201) {
          const parsed = parse(RegistrationResponse, response, 'registerBusiness')
          return { kind: 'registered', verification: parsed.withdrawer.verification }
        }
        if (response.status === 451) {
          const parsed = parse(VerificationRequired, response, 'registerBusiness')
          return {
            kind: 'verification_required',
            verification: parsed.verification ?? null,
            verificationLink: parsed.verificationLink,
            rejectionReasons: parsed.rejectionReasons ?? [],
          }
        }
        if (response.status === 409) return { kind: 'already_registered' }
        if (response.status >= 400 && response.status < 500) {
          return { kind: 'client_error', status: response.status }
        }
        throw unexpected('registerBusiness', response)
      },

      async quoteDelegatedPayout({ userId, account, speed, amount }) {
        const response = await send({
          operation: 'coinflow.quoteDelegatedPayout',
          method: 'POST',
          path: '/merchant/withdraws/payout/delegated/quote',
          body: { speed, account, userId, amount },
        })
        if (response.status !== 200) throw unexpected('quoteDelegatedPayout', response)
        const body = parse(DelegatedQuoteResponse, response, 'quoteDelegatedPayout')
        return body as DelegatedQuote
      },

      async payoutDelegated({ userId, account, speed, amount, idempotencyKey }) {
        const response = await send({
          operation: 'coinflow.payoutDelegated',
          method: 'POST',
          path: '/merchant/withdraws/payout/delegated',
          body: { speed, account, userId, amount, idempotencyKey },
        })
        if (response.status === 200 || response.status === 201) {
          const body = parse(PayoutSubmitted, response, 'payoutDelegated')
          return { kind: 'submitted', ...body }
        }
        if (response.status === 402) return { kind: 'insufficient_funds' }
        if (response.status === 451) {
          const body = PayoutVerificationRequired.safeParse(response.body)
          return {
            kind: 'verification_required',
            verificationLink: body.success ? body.data.verificationLink : null,
          }
        }
        return { kind: 'client_error', status: response.status }
      },

      async getWithdrawal(withdrawalId) {
        const response = await send({
          operation: 'coinflow.getWithdrawal',
          method: 'GET',
          path: `/merchant/withdraws/${encodeURIComponent(withdrawalId)}`,
        })
        if (response.status === 404) return null
        if (response.status !== 200) throw unexpected('getWithdrawal', response)
        return parse(WithdrawalResponse, response, 'getWithdrawal').withdrawal
      },

      async getMerchantBalance() {
        const response = await send({
          operation: 'coinflow.getMerchantBalance',
          method: 'GET',
          path: '/merchant/withdraws/payout/balance',
        })
        if (response.status !== 200) throw unexpected('getMerchantBalance', response)
        return parse(BalanceResponse, response, 'getMerchantBalance').balance
      },

      addIban: (userId, input) => addAccount('coinflow.addIban', userId, '/withdraw/iban', input),

      addPix: (userId, input) => addAccount('coinflow.addPix', userId, '/withdraw/pix', input),

      async addCard(userId, input) {
        const response = await send({
          operation: 'coinflow.addCard',
          method: 'POST',
          path: '/withdraw/debit-card',
          headers: asUser(userId),
          body: input,
        })
        return response.status === 200 || response.status === 201
          ? { ok: true }
          : { ok: false, status: response.status }
      },

      async deleteDestination(userId, destination) {
        const response = await send({
          operation: 'coinflow.deleteDestination',
          method: 'DELETE',
          path: `/withdraw/${destinationPaths[destination.type]}/${encodeURIComponent(destination.id)}`,
          headers: asUser(userId),
        })
        return { ok: response.status === 200, status: response.status }
      },
    }
  }

  // One counting client per counter: the request's own, and the payouts module asking for the
  // same request, share it instead of each building the set of methods.
  const counting = new WeakMap<UpstreamCallCounter, CoinflowApi>()
  return {
    ...api(undefined),
    merchantId,
    env,
    uiOrigin: uiOrigin ?? coinflowHosts[env].ui,
    withCalls(counter) {
      let counted = counting.get(counter)
      if (!counted) counting.set(counter, (counted = api(counter)))
      return counted
    },
  }
}
