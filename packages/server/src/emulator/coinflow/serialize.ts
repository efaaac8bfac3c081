import type { Payout, PayoutAccount, Withdrawer } from './records'

/**
 * Coinflow's wire shapes (`IWithdrawer`, `IBackwardUser`, `IWithdrawerWithAccounts`, `IWithdraw`)
 * built from the emulator's records. Only what the spec requires plus the optional fields a client
 * reads; internal facts (identity, routing numbers, card numbers) never appear.
 */

const iso = (ms: number) => new Date(ms).toISOString()
const usd = (cents: number) => ({ cents, currency: 'USD' as const })

/**
 * User-id withdrawers live under the wallet `<merchantId>ʬ<userId>` on blockchain `user`, as in
 * the sample payloads of Coinflow's withdraw webhooks.
 */
export function walletOf(merchantId: string, userId: string): string {
  return `${merchantId}ʬ${userId}`
}

/** `IWithdrawer`: the core record, as in a 451 body. */
export function withdrawerJson(withdrawer: Withdrawer, merchantId: string) {
  const wallet = walletOf(merchantId, withdrawer.userId)
  return {
    _id: withdrawer.id,
    wallet,
    blockchain: 'user' as const,
    wallets: [{ wallet, blockchain: 'user' as const }],
    email: withdrawer.email,
    availability: {
      status: 'Functional' as const,
      reason: '',
      editor: 'system',
      updatedAt: iso(withdrawer.createdAtMs),
    },
    currency: 'USD' as const,
    merchant: merchantId,
    verification: { ...withdrawer.verification },
    riskScoreOverride: false,
    country: withdrawer.identity.country ?? '',
    createdAt: iso(withdrawer.createdAtMs),
  }
}

/** `IBackwardUser`: what registration returns. */
export function backwardUserJson(withdrawer: Withdrawer, merchantId: string) {
  return {
    ...withdrawerJson(withdrawer, merchantId),
    user: true,
    watchlistExempt: 'Unknown' as const,
  }
}

/** `IBackwardBusiness`: what business registration (`POST /withdraw/kyb`) returns. */
export function backwardBusinessJson(withdrawer: Withdrawer, merchantId: string) {
  return {
    ...withdrawerJson(withdrawer, merchantId),
    business: true,
    ubos: (withdrawer.business?.ubos ?? []).map((ubo) => ({
      reference: ubo.reference,
      status: ubo.status,
      vendor: 'middesk' as const,
      name: ubo.name,
    })),
  }
}

function live<K extends PayoutAccount['kind']>(withdrawer: Withdrawer, kind: K) {
  return withdrawer.accounts.filter(
    (account): account is Extract<PayoutAccount, { kind: K }> =>
      account.kind === kind && !account.deleted,
  )
}

/** `IWithdrawerWithAccounts`: the withdrawer with every linked, undeleted payout account. */
export function withdrawerWithAccountsJson(withdrawer: Withdrawer, merchantId: string) {
  const cards = live(withdrawer, 'card')
  return {
    ...withdrawerJson(withdrawer, merchantId),
    bankAccounts: live(withdrawer, 'bank').map((account) => ({
      last4: account.last4,
      accountHash: account.accountHash,
      alias: account.alias,
      token: account.token,
      reference: account.reference,
    })),
    cards: cards.map((card) => ({
      last4: card.last4,
      token: card.token,
      type: card.brand,
      disbursementStatus: card.disbursementStatus,
      currency: 'USD' as const,
      ...(card.holderName ? { nameOnCard: card.holderName } : {}),
      createdAt: iso(card.createdAtMs),
      expMonth: card.expMonth,
      expYear: card.expYear,
    })),
    ibans: live(withdrawer, 'iban').map((account) => ({
      last4: account.last4,
      accountHash: account.accountHash,
      alias: account.alias,
      token: account.token,
      reference: account.reference,
      sortCode: account.sortCode,
      ...(account.bic ? { bic: account.bic } : {}),
    })),
    pixes: live(withdrawer, 'pix').map((account) => ({
      key: account.key,
      accountHash: account.accountHash,
      token: account.token,
    })),
    efts: [],
    p2cAvailable: withdrawer.identity.country === 'US',
    applePayAvailable: false,
    bankCurrencyOptions: ['USD' as const],
    freeWithdrawSpeeds: [],
  }
}

/** `IWithdraw`: one payout, as the merchant lookup and the user's history show it. */
export function withdrawJson(payout: Payout, merchantId: string) {
  return {
    withdrawer: payout.withdrawerId,
    transferId: payout.transferId,
    wallet: walletOf(merchantId, payout.userId),
    blockchain: 'user' as const,
    transaction: payout.signature,
    accountId: payout.accountToken,
    amount: usd(payout.amountCents),
    usdToForeignExchangeRate: payout.exchangeRate,
    userPaidFees: { fees: usd(payout.feeCents), gasFees: usd(0), swapFees: usd(0) },
    merchantPaidFees: { fees: usd(0), gasFees: usd(0), swapFees: usd(0) },
    status: payout.status,
    expectedDeliveryDate: iso(payout.expectedDeliveryMs),
    merchant: merchantId,
    createdAt: iso(payout.createdAtMs),
    updatedAt: iso(payout.updatedAtMs),
    speed: payout.effectiveSpeed,
    provider: payout.provider,
    userId: payout.userId,
    idempotencyKey: payout.idempotencyKey,
    payoutInitiated: true,
    ...(payout.detailMessage ? { detailMessage: payout.detailMessage } : {}),
  }
}
