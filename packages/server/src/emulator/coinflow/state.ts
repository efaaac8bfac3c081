import { signWebhook } from '../../webhooks/signature'
import { systemClock, type DestinationTemplate, type EmulatorWorld } from '../world'
import {
  cardBrand,
  checkIban,
  disbursementStatus,
  isBic,
  isCardNumber,
  isRoutingNumber,
  isUsAccountNumber,
  normalizeAccountNumber,
  pixKeyType,
} from './accounts'
import {
  convertFromUsd,
  displayDate,
  expectedDelivery,
  feeCents,
  SAME_DAY_ACH_LIMIT_CENTS,
  SPEED_TERMS,
  USD_EXCHANGE_RATES,
  WITHDRAW_SPEEDS,
  type SettlementCurrency,
  type WithdrawSpeed,
} from './pricing'
import type {
  AccountKind,
  CoinflowWebhookEvent,
  KnownIdentity,
  Payout,
  PayoutAccount,
  Withdrawer,
} from './records'
import type { Scheduler } from './scheduler'
import {
  backwardUserJson,
  walletOf,
  withdrawerJson,
  withdrawerWithAccountsJson,
  withdrawJson,
} from './serialize'
import { signSessionKey, verifySessionKey, type SessionKeyCheck } from './session-keys'

/**
 * The Persona Connect connection the emulated Coinflow redeems share tokens through by default.
 * In emulator mode the BFF's `PERSONA_CONNECTION_ID` must be this value.
 */
export const COINFLOW_PERSONA_CONNECTION_ID = 'cxn_CoinflowEmulatorConnect01'

export interface CoinflowEmulatorOptions {
  /** The merchant every API key maps to. Default `shareflow-emulator`. */
  merchantId?: string
  /** The merchant's Coinflow wallet balance at start, in USD cents. Default $5,000,000. */
  startingBalanceCents?: number
  /** Where KYC/Withdraw webhooks go, signed with the validation key. None are sent without it. */
  webhook?: { url: string; validationKey: string }
  /** Origin of the hosted pages, used in `verificationLink`s. Default `http://localhost:3000`. */
  uiOrigin?: string
  /** Lifetime of session keys. Default 30 minutes, as Coinflow's bank-auth guide says. */
  sessionKeyTtlSeconds?: number
  /** Coinflow's Persona Connect connection. Default {@link COINFLOW_PERSONA_CONNECTION_ID}. */
  personaConnectionId?: string
  /** How long Coinflow's review of a shared Persona identity takes. Default 3 seconds. */
  shareTokenReviewMs?: number
  /**
   * The Persona inquiry template Coinflow redeems share tokens into. Default
   * {@link COINFLOW_PERSONA_TEMPLATE}: what Coinflow needs to approve a US person.
   */
  personaTemplate?: DestinationTemplate
  /** How many of the newest webhook events `webhookLog` keeps. Default 1 000. */
  webhookLogSize?: number
}

/** An answer Coinflow gives instead of the happy path: an HTTP status and its JSON body. */
export class CoinflowError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(
      typeof body === 'string'
        ? body
        : typeof body === 'object' && body && 'details' in body
          ? String(body.details)
          : `Coinflow answered ${status}`,
    )
  }
}

/** Coinflow's usual error body, `{ details }`. */
export function failure(status: number, details: string): CoinflowError {
  return new CoinflowError(status, { details })
}

/** The sandbox's rejection values: SSN last four `9999` with zip `99999`. */
function isSandboxRejection(identity: KnownIdentity): boolean {
  return identity.ssnLast4 === '9999' && identity.zip === '99999'
}

/** The emulator's "database check inconclusive" value: SSN last four `0000`. */
function isSandboxInconclusive(identity: KnownIdentity): boolean {
  return identity.ssnLast4 === '0000'
}

/** The sandbox's failing-payout value: an account whose holder or alias is `suspended`. */
function isSuspended(account: PayoutAccount): boolean {
  const names = [account.holderName, 'alias' in account ? account.alias : null]
  return names.some((name) => name?.trim().toLowerCase() === 'suspended')
}

/** What a US withdrawer must have on file before Coinflow approves it without asking for more. */
/**
 * Coinflow's destination template: a shared identity without one of these leaves Coinflow's
 * inquiry (and the token) `pending` while the person adds it on the verification link.
 */
export const COINFLOW_PERSONA_TEMPLATE: DestinationTemplate = {
  requiredFields: [
    'nameFirst',
    'nameLast',
    'birthdate',
    'addressStreet1',
    'addressCity',
    'addressSubdivision',
    'addressPostalCode',
  ],
}

function missingForApproval(identity: KnownIdentity): string[] {
  const required: Array<keyof KnownIdentity> = [
    'firstName',
    'lastName',
    'dob',
    'address1',
    'city',
    'state',
    'zip',
  ]
  return required.filter((field) => !identity[field])
}

function hasAddress(identity: KnownIdentity): boolean {
  return Boolean(identity.address1 && identity.city && identity.state && identity.zip)
}

const SPEEDS_BY_KIND: Record<AccountKind, readonly WithdrawSpeed[]> = {
  bank: ['asap', 'same_day', 'standard', 'wire'],
  card: ['card'],
  iban: ['iban'],
  pix: ['pix'],
}

const ACCOUNT_NAMES: Record<AccountKind, string> = {
  bank: 'bank account',
  card: 'card',
  iban: 'IBAN account',
  pix: 'PIX account',
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

export interface UsRegistration {
  email: string
  firstName: string
  surName: string
  physicalAddress: string
  city: string
  state: string
  zip: string
  country: string
  /** `YYYYMMDD` or `YYYY-MM-DD`. */
  dob: string
  /** Last four digits of the SSN (nine digits are accepted and cut to four). */
  ssn: string
  redirectLink?: string
}

export interface BankAccountInput {
  alias: string
  routingNumber: string
  accountNumber: string
  type: 'checking' | 'savings'
  holderName?: string
}

export interface CardInput {
  cardToken: string
  expMonth: string
  expYear: string
  address?: { address1: string; city: string; state: string; zip: string }
  nameOnCard?: string
}

export interface IbanInput {
  number: string
  sortCode?: string
  bic?: string
  accountHolder?: string
  alias?: string
}

export interface PayoutRequest {
  speed: WithdrawSpeed
  account: string
  userId: string
  amountCents: number
  idempotencyKey: string
}

/** Fields the person completes on the verification page. */
export interface VerificationDetails {
  firstName: string
  lastName: string
  dob: string
  address1: string
  city: string
  state: string
  zip: string
  country: string
  ssnLast4?: string
}

/** What Coinflow knows of someone registered by country alone (document verification). */
export function identityOfCountry(country: string): KnownIdentity {
  return {
    firstName: null,
    lastName: null,
    dob: null,
    address1: null,
    city: null,
    state: null,
    zip: null,
    country,
    ssnLast4: null,
  }
}

export type CoinflowState = ReturnType<typeof createCoinflowState>

/**
 * The emulated Coinflow merchant account: withdrawers, their payout accounts, the wallet balance,
 * payouts and the webhooks they raise. HTTP lives in `api.ts` and `hosted.ts`; this is the model.
 */
export function createCoinflowState(
  world: EmulatorWorld,
  scheduler: Scheduler,
  options: CoinflowEmulatorOptions = {},
) {
  const merchantId = options.merchantId ?? 'shareflow-emulator'
  const uiOrigin = (options.uiOrigin ?? 'http://localhost:3000').replace(/\/+$/, '')
  const sessionKeyTtlSeconds = options.sessionKeyTtlSeconds ?? 30 * 60
  const personaConnectionId = options.personaConnectionId ?? COINFLOW_PERSONA_CONNECTION_ID
  const shareTokenReviewMs = options.shareTokenReviewMs ?? 3_000
  const personaTemplate = options.personaTemplate ?? COINFLOW_PERSONA_TEMPLATE
  const webhookLogSize = options.webhookLogSize ?? 1_000

  const randomChars = (alphabet: string, length: number) => {
    let text = ''
    for (let i = 0; i < length; i++) text += alphabet[Math.floor(world.random() * alphabet.length)]
    return text
  }
  /** Mongo-style 24-hex ids, as Coinflow's `_id`s look. */
  const objectId = () => randomChars('0123456789abcdef', 24)
  const sessionSecret = randomChars(BASE58, 48)

  const withdrawers = new Map<string, Withdrawer>()
  const cardVault = new Map<string, { pan: string }>()
  const payouts: Payout[] = []
  /** Payouts by idempotency key, transfer id and signature: lookups stay O(1) under load tests. */
  const payoutsByKey = new Map<string, Payout>()
  const payoutsById = new Map<string, Payout>()
  const withdrawersByLink = new Map<string, Withdrawer>()
  const webhookLog: CoinflowWebhookEvent[] = []
  let balanceCents = options.startingBalanceCents ?? 5_000_000_00

  const nowIso = () => new Date(world.clock.now()).toISOString()

  async function emit(
    eventType: CoinflowWebhookEvent['eventType'],
    data: Record<string, unknown>,
  ): Promise<void> {
    const event: CoinflowWebhookEvent = {
      eventType,
      category: eventType.startsWith('KYC') ? 'KYC' : 'Withdraw',
      created: nowIso(),
      data,
    }
    webhookLog.push(event)
    // A long-running emulator raises events without end; only the newest are worth keeping.
    if (webhookLog.length > webhookLogSize) webhookLog.splice(0, webhookLog.length - webhookLogSize)
    if (!options.webhook) return
    const body = JSON.stringify(event)
    const signature = await signWebhook({
      payload: body,
      secret: options.webhook.validationKey,
      // Real time, as Coinflow signs: the emulator clock may be days ahead of any receiver's.
      timestamp: Math.floor(systemClock.now() / 1000),
    })
    world.webhooks.deliver({
      vendor: 'coinflow',
      url: options.webhook.url,
      body,
      headers: {
        'Content-Type': 'application/json',
        // Coinflow's original scheme: the validation key itself, compared as a plain string.
        Authorization: options.webhook.validationKey,
        'Coinflow-Signature': signature,
      },
    })
  }

  const kycData = (withdrawer: Withdrawer) => ({
    wallet: walletOf(merchantId, withdrawer.userId),
    blockchain: 'user',
    email: withdrawer.email,
  })

  async function approve(withdrawer: Withdrawer): Promise<void> {
    withdrawer.verification.status = 'approved'
    // A business approved on the verification page has had its owners verified there too.
    for (const ubo of withdrawer.business?.ubos ?? []) ubo.status = 'approved'
    withdrawer.awaiting = null
    withdrawer.rejectionReasons = []
    await emit('KYC Success', kycData(withdrawer))
  }

  async function reject(withdrawer: Withdrawer, reason: string): Promise<void> {
    withdrawer.verification.status = 'rejected'
    withdrawer.awaiting = null
    withdrawer.rejectionReasons = [reason]
    await emit('KYC Failure', kycData(withdrawer))
  }

  function newWithdrawer(
    userId: string,
    email: string,
    identity: KnownIdentity,
    verification: Withdrawer['verification'],
  ): Withdrawer {
    const withdrawer: Withdrawer = {
      id: objectId(),
      userId,
      email,
      createdAtMs: world.clock.now(),
      identity,
      verification,
      awaiting: null,
      rejectionReasons: [],
      verificationLinkId: randomChars(BASE58, 32),
      redirectLink: null,
      accounts: [],
    }
    withdrawers.set(userId, withdrawer)
    withdrawersByLink.set(withdrawer.verificationLinkId, withdrawer)
    return withdrawer
  }

  function verificationLink(withdrawer: Withdrawer): string {
    return `${uiOrigin}/verification/${withdrawer.verificationLinkId}`
  }

  /** The 451 body of registration and `GET /withdraw` (`WithdrawerVerificationRequiredResponse`). */
  function verificationRequired(withdrawer: Withdrawer) {
    const actionable = withdrawer.awaiting === 'details' || withdrawer.awaiting === 'document'
    return {
      verification: { ...withdrawer.verification },
      ...(actionable ? { verificationLink: verificationLink(withdrawer) } : {}),
      ...(withdrawer.redirectLink ? { redirectLink: withdrawer.redirectLink } : {}),
      ...(withdrawer.rejectionReasons.length > 0
        ? { rejectionReasons: [...withdrawer.rejectionReasons] }
        : {}),
      withdrawer: withdrawerJson(withdrawer, merchantId),
    }
  }

  function requireWithdrawer(userId: string): Withdrawer {
    const withdrawer = withdrawers.get(userId)
    if (!withdrawer) throw failure(401, 'No withdrawer associated with this user')
    return withdrawer
  }

  function rejectIfExists(userId: string): void {
    if (withdrawers.has(userId)) {
      throw failure(409, 'Withdrawer already exists for this wallet and merchant')
    }
  }

  /**
   * Adds `account` unless the same account (by hash) is already linked; either way returns the
   * token the merchant should use, so linking twice never creates two destinations.
   */
  function link(
    withdrawer: Withdrawer,
    account: DistributiveOmit<PayoutAccount, 'token' | 'createdAtMs' | 'deleted'>,
    token = objectId(),
  ): string {
    const existing = withdrawer.accounts.find(
      (candidate) =>
        candidate.kind === account.kind &&
        !candidate.deleted &&
        candidate.accountHash === account.accountHash,
    )
    if (existing) return existing.token
    withdrawer.accounts.push({
      ...account,
      token,
      createdAtMs: world.clock.now(),
      deleted: false,
    } as PayoutAccount)
    return token
  }

  function findAccount(withdrawer: Withdrawer, token: string): PayoutAccount | undefined {
    return withdrawer.accounts.find((account) => account.token === token && !account.deleted)
  }

  function settlementCurrencyFor(
    speed: WithdrawSpeed,
    account: PayoutAccount | undefined,
  ): SettlementCurrency {
    if (speed === 'iban') return account?.kind === 'iban' ? account.currency : 'EUR'
    if (speed === 'pix') return 'BRL'
    if (speed === 'eft' || speed === 'interac') return 'CAD'
    return 'USD'
  }

  /** Same Day ACH above NACHA's $1,000,000 cap goes out as Standard ACH instead. */
  function effectiveSpeedFor(speed: WithdrawSpeed, amountCents: number): WithdrawSpeed {
    return speed === 'same_day' && amountCents > SAME_DAY_ACH_LIMIT_CENTS ? 'standard' : speed
  }

  function speedQuote(speed: WithdrawSpeed, amountCents: number, account: PayoutAccount) {
    const fee = feeCents(speed, amountCents)
    const currency = settlementCurrencyFor(speed, account)
    const delivery = expectedDelivery(speed, world.clock.now())
    return {
      fee: { cents: fee, currency: 'USD' as const },
      limit: { cents: SPEED_TERMS[speed].limitCents, currency: 'USD' as const },
      finalSettlement: {
        cents: convertFromUsd(Math.max(0, amountCents - fee), currency),
        currency,
      },
      expectedDeliveryDate: displayDate(delivery),
      expectedDeliveryDateISO: delivery.toISOString(),
    }
  }

  function withdrawData(payout: Payout) {
    return {
      wallet: walletOf(merchantId, payout.userId),
      blockchain: 'user',
      signature: payout.signature,
      userFees: { cents: payout.feeCents, currency: 'USD' },
      userGasFees: { cents: 0, currency: 'USD' },
      userCustomFees: { cents: 0, currency: 'USD' },
      merchantFees: { cents: 0, currency: 'USD' },
      merchantGasFees: { cents: 0, currency: 'USD' },
      total: { cents: payout.amountCents, currency: 'USD' },
      currency: 'USD',
      merchantId,
      userId: payout.userId,
      idempotencyKey: payout.idempotencyKey,
    }
  }

  async function settle(payout: Payout, account: PayoutAccount): Promise<void> {
    payout.updatedAtMs = world.clock.now()
    if (isSuspended(account)) {
      payout.status = 'failed'
      payout.detailMessage = 'The receiving account is suspended'
      // A failed payout returns the money to the merchant's Coinflow wallet.
      balanceCents += payout.amountCents
      await emit('Withdraw Failure', withdrawData(payout))
      return
    }
    payout.status = 'completed'
    await emit('Withdraw Success', withdrawData(payout))
  }

  return {
    merchantId,
    uiOrigin,

    /** The merchant's Coinflow wallet balance, in USD cents. */
    get balanceCents() {
      return balanceCents
    },
    setBalanceCents(cents: number) {
      balanceCents = cents
    },
    /** Every withdrawer, by the merchant's user id. */
    withdrawers: withdrawers as ReadonlyMap<string, Withdrawer>,
    payouts: payouts as readonly Payout[],
    /** The newest `webhookLogSize` webhooks raised, in order, whether or not a URL is configured. */
    webhookLog: webhookLog as readonly CoinflowWebhookEvent[],

    async createSessionKey(userId: string): Promise<string> {
      const iat = Math.floor(world.clock.now() / 1000)
      return signSessionKey(
        { customerId: userId, merchantId, iat, exp: iat + sessionKeyTtlSeconds },
        sessionSecret,
      )
    },

    async checkSessionKey(token: string): Promise<SessionKeyCheck> {
      const check = await verifySessionKey(
        token,
        sessionSecret,
        Math.floor(world.clock.now() / 1000),
      )
      if (check.ok && check.claims.merchantId !== merchantId) {
        return { ok: false, reason: 'bad_signature' }
      }
      return check
    },

    /** `POST /withdraw/kyc` for a US person: the instant database check. */
    async registerUs(userId: string, input: UsRegistration) {
      rejectIfExists(userId)
      const dob = input.dob.replace(/^(\d{4})-?(\d{2})-?(\d{2})$/, '$1-$2-$3')
      const identity: KnownIdentity = {
        firstName: input.firstName,
        lastName: input.surName,
        dob,
        address1: input.physicalAddress,
        city: input.city,
        state: input.state,
        zip: input.zip,
        country: input.country,
        ssnLast4: input.ssn.slice(-4),
      }
      const withdrawer = newWithdrawer(userId, input.email, identity, {
        reference: world.ids.next('inq'),
        status: 'pending',
        vendor: 'persona',
      })
      withdrawer.redirectLink = input.redirectLink ?? null
      await emit('KYC Created', kycData(withdrawer))
      if (input.country !== 'US') {
        withdrawer.awaiting = 'document'
      } else if (isSandboxRejection(identity)) {
        await reject(withdrawer, 'Identity could not be verified')
      } else if (isSandboxInconclusive(identity)) {
        // The database check could not match the person: Coinflow asks for a selfie and the full SSN.
        withdrawer.awaiting = 'details'
      } else {
        await approve(withdrawer)
        return {
          status: 200 as const,
          body: { withdrawer: backwardUserJson(withdrawer, merchantId) },
        }
      }
      return { status: 451 as const, body: verificationRequired(withdrawer) }
    },

    /** `POST /withdraw/kyc` outside the US: always document verification first (451 + link). */
    async registerWithDocument(
      userId: string,
      input: { email: string; country: string; redirectLink?: string },
    ) {
      rejectIfExists(userId)
      const withdrawer = newWithdrawer(userId, input.email, identityOfCountry(input.country), {
        reference: objectId(),
        status: 'pending',
        vendor: 'sumsub_docv',
      })
      withdrawer.redirectLink = input.redirectLink ?? null
      withdrawer.awaiting = 'document'
      await emit('KYC Created', kycData(withdrawer))
      return { status: 451 as const, body: verificationRequired(withdrawer) }
    },

    /**
     * `POST /withdraw/kyc/share-token` (Persona): redeems the token through Persona Connect and
     * registers the withdrawer as `pending`; Coinflow's review finishes `shareTokenReviewMs` later.
     */
    async registerWithShareToken(userId: string, input: { shareToken: string; email: string }) {
      const existing = withdrawers.get(userId)
      // A person who was rejected, or who still owes details, may share a better inquiry.
      if (
        existing &&
        (existing.verification.status === 'approved' || existing.awaiting === 'review')
      ) {
        throw failure(409, 'Withdrawer already exists for this wallet and merchant')
      }
      const redemption = await world.personaConnect.redeemShareToken(
        input.shareToken,
        personaConnectionId,
        personaTemplate,
      )
      if (!redemption.ok) {
        const reasons = {
          not_found: 'Share token not found',
          expired: 'Share token is expired',
          already_redeemed: 'Share token has already been redeemed',
          wrong_connection: 'Share token was not issued to this connection',
        } as const
        throw failure(400, reasons[redemption.reason])
      }
      const shared = redemption.identity
      if (shared.inquiryStatus !== 'completed' && shared.inquiryStatus !== 'approved') {
        throw failure(
          400,
          'The applicant linked to this share token is not approved, verification was either incomplete or failed',
        )
      }
      const identity: KnownIdentity = {
        firstName: shared.nameFirst,
        lastName: shared.nameLast,
        dob: shared.birthdate,
        address1: shared.addressStreet1,
        city: shared.addressCity,
        state: shared.addressSubdivision,
        zip: shared.addressPostalCode,
        country: shared.addressCountryCode,
        ssnLast4: shared.identificationNumberLast4,
      }
      const verification = {
        reference: world.ids.next('inq'),
        status: 'pending' as const,
        vendor: 'persona' as const,
        shareToken: input.shareToken,
        shareTokenStatus: 'pending',
      }
      let withdrawer: Withdrawer
      if (existing) {
        withdrawer = existing
        withdrawer.identity = identity
        withdrawer.verification = verification
        withdrawer.rejectionReasons = []
      } else {
        withdrawer = newWithdrawer(userId, input.email, identity, verification)
        await emit('KYC Created', kycData(withdrawer))
      }
      withdrawer.awaiting = 'review'
      scheduler.at(world.clock.now() + shareTokenReviewMs, async () => {
        if (withdrawer.verification !== verification) return
        // Persona redeems the token once Coinflow's inquiry has what its template needs.
        verification.shareTokenStatus = personaTemplate.requiredFields.some(
          (field) => shared[field] === null,
        )
          ? 'pending'
          : 'redeemed'
        if (isSandboxRejection(identity)) {
          await reject(withdrawer, 'Identity could not be verified')
        } else if (identity.country !== 'US' || missingForApproval(identity).length > 0) {
          // Coinflow needs fields the Persona inquiry did not collect: the person adds them on
          // the verification link (GET /withdraw answers 451 until then).
          withdrawer.awaiting = identity.country === 'US' ? 'details' : 'document'
        } else {
          await approve(withdrawer)
        }
      })
      return { withdrawer: backwardUserJson(withdrawer, merchantId) }
    },

    /** `GET /withdraw`: 401 unregistered, 451 until approved, else the withdrawer with accounts. */
    getWithdrawer(userId: string, redirectLink?: string) {
      const withdrawer = requireWithdrawer(userId)
      if (redirectLink) withdrawer.redirectLink = redirectLink
      if (withdrawer.verification.status !== 'approved') {
        throw new CoinflowError(451, verificationRequired(withdrawer))
      }
      return { withdrawer: withdrawerWithAccountsJson(withdrawer, merchantId) }
    },

    /** The withdrawer behind a verification link, for the hosted verification page. */
    withdrawerByVerificationLink(linkId: string): Withdrawer | undefined {
      return withdrawersByLink.get(linkId)
    },

    /** The person finished the verification page: approve, or reject on the sandbox values. */
    async completeVerification(withdrawer: Withdrawer, details: VerificationDetails) {
      if (withdrawer.awaiting !== 'details' && withdrawer.awaiting !== 'document') {
        throw failure(409, 'There is nothing to verify for this withdrawer')
      }
      withdrawer.identity = {
        firstName: details.firstName,
        lastName: details.lastName,
        dob: details.dob,
        address1: details.address1,
        city: details.city,
        state: details.state,
        zip: details.zip,
        country: details.country,
        ssnLast4: details.ssnLast4 ?? withdrawer.identity.ssnLast4,
      }
      if (isSandboxRejection(withdrawer.identity)) {
        await reject(withdrawer, 'Identity could not be verified')
      } else {
        await approve(withdrawer)
      }
    },

    /** The withdrawer a session key or user id points at, for the destination endpoints. */
    requireWithdrawer,

    /**
     * The steps every registration shares, for registrations modelled in their own file
     * (`kyb.ts`): a new withdrawer (refused 409 when one exists), its `KYC Created` event, its
     * approval or rejection (with their webhooks), and the 451 body while it is not approved.
     */
    registration: {
      objectId,
      rejectIfExists,
      async create(
        userId: string,
        email: string,
        identity: KnownIdentity,
        verification: Withdrawer['verification'],
      ) {
        const withdrawer = newWithdrawer(userId, email, identity, verification)
        await emit('KYC Created', kycData(withdrawer))
        return withdrawer
      },
      approve,
      reject,
      verificationRequired,
    },

    /** `POST /withdraw/account`: a US bank account; returns its token (the same one if linked twice). */
    async addBankAccount(userId: string, input: BankAccountInput): Promise<string> {
      const withdrawer = requireWithdrawer(userId)
      const routingNumber = input.routingNumber.trim()
      const accountNumber = input.accountNumber.replace(/[\s-]/g, '')
      if (!isRoutingNumber(routingNumber)) throw failure(400, 'Invalid routing number')
      if (!isUsAccountNumber(accountNumber)) throw failure(400, 'Invalid account number')
      return link(withdrawer, {
        kind: 'bank',
        accountHash: await sha256Hex(`${routingNumber}:${accountNumber}`),
        holderName: input.holderName ?? null,
        alias: input.alias,
        last4: accountNumber.slice(-4),
        reference: objectId(),
        accountType: input.type,
      })
    },

    /** The withdrawer with its linked accounts (`IWithdrawerWithAccounts`), whatever its status. */
    accountsOf(userId: string) {
      return { withdrawer: withdrawerWithAccountsJson(requireWithdrawer(userId), merchantId) }
    },

    /** Card tokenizer (TokenEx `sixANTOKENfour`): keeps the first six and last four digits. */
    tokenizeCard(pan: string) {
      if (!isCardNumber(pan)) throw failure(400, 'Invalid card number')
      const middle = randomChars(
        'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
        pan.length - 10,
      )
      const token = `${pan.slice(0, 6)}${middle}${pan.slice(-4)}`
      cardVault.set(token, { pan })
      return {
        token,
        firstSix: pan.slice(0, 6),
        lastFour: pan.slice(-4),
        referenceNumber: randomChars('0123456789', 16),
      }
    },

    /** `POST /withdraw/debit-card`: the card token's card, if it can receive push-to-card money. */
    async addCard(userId: string, input: CardInput): Promise<string> {
      const withdrawer = requireWithdrawer(userId)
      const card = cardVault.get(input.cardToken)
      if (!card) throw failure(400, 'Invalid card token')
      const brand = cardBrand(card.pan)
      const expYear = input.expYear.length === 2 ? `20${input.expYear}` : input.expYear
      const now = new Date(world.clock.now())
      const expired =
        Number(expYear) < now.getUTCFullYear() ||
        (Number(expYear) === now.getUTCFullYear() && Number(input.expMonth) < now.getUTCMonth() + 1)
      const status = brand ? disbursementStatus(brand) : 'Ineligible'
      if (!brand || expired || status === 'Ineligible') {
        throw failure(400, 'This card is not eligible to receive payouts')
      }
      if (!hasAddress(withdrawer.identity)) {
        if (!input.address) {
          throw failure(
            412,
            'User Address Info Required - Please provide address info in body.address parameters',
          )
        }
        Object.assign(withdrawer.identity, input.address)
      }
      return link(
        withdrawer,
        {
          kind: 'card',
          accountHash: await sha256Hex(card.pan),
          holderName: input.nameOnCard ?? null,
          last4: card.pan.slice(-4),
          brand,
          disbursementStatus: status,
          expMonth: input.expMonth,
          expYear: expYear.slice(-2),
        },
        input.cardToken,
      )
    },

    /**
     * `POST /withdraw/iban`: an IBAN (SEPA countries pay EUR, GB pays GBP) or a UK account number
     * with its sort code (GBP). IBANs from outside SEPA go over SWIFT and need a BIC (426).
     */
    async addIban(userId: string, input: IbanInput): Promise<string> {
      const withdrawer = requireWithdrawer(userId)
      const number = normalizeAccountNumber(input.number)
      const bic = input.bic ? normalizeAccountNumber(input.bic) : null
      if (bic && !isBic(bic)) throw failure(400, 'Invalid BIC')
      let currency: 'EUR' | 'GBP'
      let sortCode: string
      let accountNumber: string
      if (/^\d{8}$/.test(number)) {
        sortCode = (input.sortCode ?? '').replace(/[\s-]/g, '')
        if (!/^\d{6}$/.test(sortCode)) {
          throw failure(400, 'A 6-digit sortCode is required with a UK account number')
        }
        currency = 'GBP'
        accountNumber = number
      } else {
        const check = checkIban(number)
        if (!check.ok) throw failure(400, 'Invalid IBAN')
        if (!check.sepa && !bic) throw new CoinflowError(426, 'BIC required')
        currency = check.country === 'GB' ? 'GBP' : 'EUR'
        sortCode = check.country === 'GB' ? number.slice(8, 14) : ''
        accountNumber = number
      }
      return link(withdrawer, {
        kind: 'iban',
        accountHash: await sha256Hex(`${sortCode}:${accountNumber}`),
        holderName: input.accountHolder ?? null,
        alias: input.alias ?? input.accountHolder ?? `${currency} account`,
        last4: accountNumber.slice(-4),
        reference: objectId(),
        sortCode,
        bic,
        currency,
      })
    },

    /** `POST /withdraw/pix`: a PIX key (CPF, CNPJ, e-mail, +55 phone or random key); pays BRL. */
    async addPix(userId: string, pixKey: string): Promise<string> {
      const withdrawer = requireWithdrawer(userId)
      const key = pixKey.trim()
      if (!pixKeyType(key)) throw failure(400, 'Invalid PIX key')
      return link(withdrawer, {
        kind: 'pix',
        accountHash: await sha256Hex(key),
        holderName: null,
        key,
      })
    },

    /** `DELETE /withdraw/{account|card|iban|pix}/{token}`. */
    deleteAccount(userId: string, kind: AccountKind, token: string) {
      const withdrawer = requireWithdrawer(userId)
      const account = findAccount(withdrawer, token)
      if (!account || account.kind !== kind)
        throw failure(404, `No ${ACCOUNT_NAMES[kind]} with this token`)
      account.deleted = true
      return { withdrawer: withdrawerWithAccountsJson(withdrawer, merchantId) }
    },

    /** `POST /merchant/withdraws/payout/delegated/quote`: every speed, fees, limits, delivery. */
    quote(input: { speed: WithdrawSpeed; account: string; userId: string; amountCents: number }) {
      const withdrawer = withdrawers.get(input.userId)
      if (!withdrawer) throw failure(404, 'No withdrawer associated with this user')
      const account = findAccount(withdrawer, input.account)
      if (!account) throw failure(404, 'Account not found for this user')
      const perSpeed = Object.fromEntries(
        WITHDRAW_SPEEDS.map((speed) => [speed, speedQuote(speed, input.amountCents, account)]),
      ) as Record<WithdrawSpeed, ReturnType<typeof speedQuote>>
      const chosen = perSpeed[effectiveSpeedFor(input.speed, input.amountCents)]
      return {
        ...perSpeed,
        quote: { cents: input.amountCents, currency: 'USD' as const },
        totalMerchantDebit: { cents: input.amountCents, currency: 'USD' as const },
        userPayout: chosen.finalSettlement,
        merchantFees: { cents: 0, currency: 'USD' as const },
      }
    },

    /**
     * `POST /merchant/withdraws/payout/delegated`. The same `idempotencyKey` replays the first
     * successful answer and never pays twice; errors are not recorded, so a retry re-evaluates.
     */
    async payout(input: PayoutRequest) {
      const fingerprint = JSON.stringify([
        input.userId,
        input.account,
        input.speed,
        input.amountCents,
      ])
      const previous = payoutsByKey.get(input.idempotencyKey)
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw failure(409, 'This idempotencyKey was already used for a different payout')
        }
        return { signature: previous.signature, effectiveSpeed: previous.effectiveSpeed }
      }
      const withdrawer = withdrawers.get(input.userId)
      if (!withdrawer) throw failure(404, 'No withdrawer associated with this user')
      if (withdrawer.verification.status !== 'approved') {
        throw new CoinflowError(451, {
          verificationLink: verificationLink(withdrawer),
          message: 'User must complete additional verification before a payout',
        })
      }
      const account = findAccount(withdrawer, input.account)
      if (!account) throw failure(404, 'Account not found for this user')
      if (!SPEEDS_BY_KIND[account.kind].includes(input.speed)) {
        throw failure(
          400,
          `Speed ${input.speed} is not available for a ${ACCOUNT_NAMES[account.kind]}`,
        )
      }
      const effectiveSpeed = effectiveSpeedFor(input.speed, input.amountCents)
      const terms = SPEED_TERMS[effectiveSpeed]
      if (input.amountCents > terms.limitCents) {
        throw failure(400, `Amount is over the ${effectiveSpeed} limit`)
      }
      if (input.amountCents > balanceCents) throw failure(402, 'Insufficient funds')
      const fee = feeCents(effectiveSpeed, input.amountCents)
      if (fee >= input.amountCents) throw failure(400, 'Amount does not cover the payout fee')
      const now = world.clock.now()
      const settlementCurrency = settlementCurrencyFor(effectiveSpeed, account)
      const payout: Payout = {
        transferId: objectId(),
        signature: randomChars(BASE58, 88),
        idempotencyKey: input.idempotencyKey,
        fingerprint,
        userId: input.userId,
        withdrawerId: withdrawer.id,
        accountToken: account.token,
        requestedSpeed: input.speed,
        effectiveSpeed,
        amountCents: input.amountCents,
        feeCents: fee,
        settlementCents: convertFromUsd(input.amountCents - fee, settlementCurrency),
        settlementCurrency,
        exchangeRate: USD_EXCHANGE_RATES[settlementCurrency],
        status: 'pending',
        provider:
          account.kind === 'iban' && account.currency === 'GBP'
            ? 'faster-payments'
            : terms.provider,
        createdAtMs: now,
        updatedAtMs: now,
        expectedDeliveryMs: expectedDelivery(effectiveSpeed, now).getTime(),
        detailMessage: null,
      }
      balanceCents -= input.amountCents
      payouts.push(payout)
      payoutsByKey.set(payout.idempotencyKey, payout)
      payoutsById.set(payout.transferId, payout)
      payoutsById.set(payout.signature, payout)
      await emit('Withdraw Pending', withdrawData(payout))
      scheduler.at(now + terms.settleAfterMs, () => settle(payout, account))
      // Magic amount $503.00: the payout is made but the first answer is a 503, as when a
      // response is lost; the retry with the same idempotencyKey is a replay (above), so it gets
      // the original result.
      if (input.amountCents === 503_00) {
        throw failure(503, 'Payout encountered a temporary issue, please retry the request')
      }
      return { signature: payout.signature, effectiveSpeed }
    },

    /** `GET /merchant/withdraws/{id}`, by transfer id or transaction signature. */
    findPayout(id: string) {
      const payout = payoutsById.get(id)
      if (!payout) throw failure(404, 'Withdrawal not found')
      return { withdrawal: withdrawJson(payout, merchantId) }
    },

    /** `GET /withdraw/history`: the user's payouts, newest first. */
    history(userId: string) {
      requireWithdrawer(userId)
      return {
        // Reversed before the (stable) sort so payouts made in the same millisecond stay newest first.
        withdraws: payouts
          .filter((payout) => payout.userId === userId)
          .reverse()
          .sort((a, b) => b.createdAtMs - a.createdAtMs)
          .map((payout) => withdrawJson(payout, merchantId)),
      }
    },

    verificationLink,
  }
}
