import type { Hono, MiddlewareHandler } from 'hono'
import type { EmulatorWorld } from '../world'
import { createCoinflowApi } from './api'
import { createCoinflowHosted } from './hosted'
import { createScheduler, type Scheduler } from './scheduler'
import { createCoinflowState, type CoinflowEmulatorOptions, type CoinflowState } from './state'

export interface CoinflowEmulator {
  /** The REST API, under `/api` (Coinflow's `https://api-sandbox.coinflow.cash/api`). */
  api: Hono
  /** The hosted pages: `/solana/withdraw/:merchantId`, `/verification/:id`, `/assets/*`. */
  hosted: Hono
  /** The merchant account behind both apps (withdrawers, payouts, balance, webhook log). */
  state: CoinflowState
  /** Delayed work (share-token reviews, payouts settling) on the emulator clock. */
  scheduler: Scheduler
  /** Runs what is due on the emulator clock; tests call it after moving a manual clock. */
  runDue(): Promise<void>
}

export interface CreateCoinflowEmulatorOptions extends CoinflowEmulatorOptions {
  /** Runs before every API route, e.g. `applyFaults(world, 'coinflow')` (latency, 5xx, 429). */
  middleware?: MiddlewareHandler[]
}

/**
 * A stateful stand-in for Coinflow's sandbox: withdrawers (including registration with a Persona
 * share token redeemed through `world.personaConnect`), payout destinations, delegated quotes and
 * payouts from the merchant's balance, signed KYC/Withdraw webhooks, and the hosted withdraw and
 * verification pages. See README.md beside this file for the magic values.
 *
 * @example
 * const coinflow = createCoinflowEmulator(world, { webhook: { url, validationKey: 'whsec' } })
 * await coinflow.api.request('http://coinflow.test/api/auth/session-key', {
 *   headers: { Authorization: 'sandbox-key', 'x-coinflow-auth-user-id': 'user-1' },
 * })
 */
export function createCoinflowEmulator(
  world: EmulatorWorld,
  options: CreateCoinflowEmulatorOptions = {},
): CoinflowEmulator {
  const scheduler = createScheduler(world.clock)
  const state = createCoinflowState(world, scheduler, options)
  return {
    api: createCoinflowApi(state, scheduler, options.middleware) as unknown as Hono,
    hosted: createCoinflowHosted(state, scheduler),
    state,
    scheduler,
    runDue: () => scheduler.runDue(),
  }
}

export { COINFLOW_PERSONA_CONNECTION_ID, COINFLOW_PERSONA_TEMPLATE } from './state'
export type { CoinflowEmulatorOptions, CoinflowState } from './state'
export type { Scheduler } from './scheduler'
export { SPEED_TERMS, USD_EXCHANGE_RATES, SAME_DAY_ACH_LIMIT_CENTS } from './pricing'
export type { CoinflowWebhookEvent } from './records'
