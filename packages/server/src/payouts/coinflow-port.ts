/**
 * The upstream Coinflow client as the payout state machine needs it: answers as outcomes, and an
 * outage (the client's retries exhausted, or a body Coinflow should not have sent) as
 * `unavailable` rather than an exception, because for a submitted payout an outage is not an
 * error: it is "ask again later with the same key". Each call counts on the counter it is given
 * (the BFF request it is made for), and on none when it is background work.
 *
 * Web Standards only.
 */
import { Speed } from '@shareflow/contract'
import { ApiError } from '../errors'
import type { CoinflowApi, CoinflowClient } from '../upstream/coinflow'
import type { UpstreamCallCounter } from '../upstream/http'
import type { PayoutCoinflow } from './service'

const isOutage = (error: unknown): error is ApiError =>
  error instanceof ApiError && error.code === 'upstream_unavailable'

export function createPayoutCoinflow(
  client: CoinflowApi & Pick<CoinflowClient, 'withCalls'>,
): PayoutCoinflow {
  const api = (calls: UpstreamCallCounter | undefined): CoinflowApi =>
    calls ? client.withCalls(calls) : client
  return {
    async withdrawerAccounts(userId, calls) {
      const lookup = await api(calls).getWithdrawer(userId)
      switch (lookup.kind) {
        case 'registered':
          return lookup.withdrawer.accounts
        case 'verification_required':
          throw new ApiError(
            'verification_required',
            'Finish verifying your identity to withdraw.',
            lookup.verificationLink ? { verificationLink: lookup.verificationLink } : {},
          )
        case 'not_registered':
          throw new ApiError('kyc_required', 'Verify your identity before withdrawing.')
      }
    },

    quote: ({ userId, account, speed, amount }, calls) =>
      api(calls).quoteDelegatedPayout({ userId, account, speed, amount }),

    async submitPayout(input, calls) {
      let result
      try {
        result = await api(calls).payoutDelegated(input)
      } catch (error) {
        if (isOutage(error))
          return { kind: 'unavailable', detail: String(error.extra.cause ?? error) }
        throw error
      }
      switch (result.kind) {
        case 'submitted': {
          const effectiveSpeed = Speed.safeParse(result.effectiveSpeed)
          return {
            kind: 'accepted',
            signature: result.signature,
            ...(effectiveSpeed.success ? { effectiveSpeed: effectiveSpeed.data } : {}),
          }
        }
        case 'insufficient_funds':
          return { kind: 'insufficient_funds' }
        case 'verification_required':
          return result.verificationLink
            ? { kind: 'verification_required', verificationLink: result.verificationLink }
            : { kind: 'verification_required' }
        case 'client_error':
          return { kind: 'rejected', status: result.status }
      }
    },

    async lookupPayout(signature, calls) {
      let withdrawal
      try {
        withdrawal = await api(calls).getWithdrawal(signature)
      } catch (error) {
        if (isOutage(error))
          return { kind: 'unavailable', detail: String(error.extra.cause ?? error) }
        throw error
      }
      if (withdrawal === null) return { kind: 'not_found' }
      // Anything Coinflow adds later (`in_review`, …) is still under way for us.
      if (withdrawal.status === 'completed') return { kind: 'found', status: 'completed' }
      if (withdrawal.status === 'failed') return { kind: 'found', status: 'failed' }
      return { kind: 'found', status: 'pending' }
    },
  }
}
