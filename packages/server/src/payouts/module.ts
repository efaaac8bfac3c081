/**
 * Payouts as a module of the BFF: pass `createPayoutsModule({ ledger })` in
 * `createShareflowApp({ modules: [...] })` and it mounts `/destinations`, `/balance`, `/quotes`
 * and `/payouts`, follows Coinflow's Withdraw webhooks, and resumes unfinished payouts.
 *
 * Recovery runs at start-up (the first sweep), on requests to these routes (at most every few
 * seconds) and, with `recoveryIntervalMs`, on a timer. Runtimes that forbid work outside a request
 * (Workers) leave the timer off; requests and webhooks still move every payout on.
 *
 * @module
 */
import type { ShareflowModule } from '../shareflow-module'
import { createPayoutCoinflow } from './coinflow-port'
import { payoutPaths } from './openapi'
import { registerBalanceRoutes } from './routes/balance'
import { registerDestinationRoutes } from './routes/destinations'
import { registerPayoutRoutes } from './routes/payouts'
import { registerQuoteRoutes } from './routes/quotes'
import type { PayoutHostLedger } from './host-ledger'
import {
  createPayoutService,
  withdrawEventOf,
  type PayoutService,
  type PayoutServiceOptions,
} from './service'

export interface PayoutsModuleOptions extends Omit<
  PayoutServiceOptions,
  'store' | 'coinflow' | 'ledger' | 'clock' | 'logger' | 'publish' | 'onVerificationRequired'
> {
  /** The host's ledger hooks: debit, settle, reverse (see `host-ledger.ts`). */
  ledger: PayoutHostLedger
  /** Sweep unfinished payouts on a timer this often (Node). Default: no timer. */
  recoveryIntervalMs?: number
}

export interface PayoutsModule extends ShareflowModule {
  /** The payout service, once the app has registered the module. */
  readonly service: PayoutService
  /** Stops the recovery timer and waits for payout work in flight to release its leases. */
  stop(): Promise<void>
}

/**
 * @example
 * const payouts = createPayoutsModule({ ledger: myLedger, recoveryIntervalMs: 5_000 })
 * const app = createShareflowApp({ getUser, persona, coinflow, store, modules: [payouts] })
 */
export function createPayoutsModule({
  ledger,
  recoveryIntervalMs,
  ...serviceOptions
}: PayoutsModuleOptions): PayoutsModule {
  let service: PayoutService | undefined
  let stopRecovery: () => void = () => {}
  return {
    name: 'payouts',
    openapi: payoutPaths,
    get service() {
      if (!service) throw new Error('The payouts module has not been registered with an app yet')
      return service
    },
    register(app, services) {
      const payouts = createPayoutService({
        ...serviceOptions,
        store: services.store,
        coinflow: createPayoutCoinflow(services.coinflow),
        ledger,
        clock: services.clock,
        logger: services.logger.child({ module: 'payouts' }),
        publish: async (userId, event) => {
          await services.events.publish(userId, event)
        },
        onVerificationRequired: async (userId, verificationLink) => {
          if (!verificationLink) return
          await services.kyc.observeWithdrawer(userId, {
            kind: 'verification_required',
            verification: { status: 'pending', vendor: null, shareTokenStatus: null },
            verificationLink,
            rejectionReasons: [],
          })
        },
      })
      service = payouts
      services.webhooks.onCoinflowWithdrawEvent.add((delivery) =>
        payouts.handleWithdrawEvent(withdrawEventOf(delivery)),
      )
      registerDestinationRoutes(app, payouts)
      registerBalanceRoutes(app, payouts)
      registerQuoteRoutes(app, payouts)
      registerPayoutRoutes(app, payouts)
      if (recoveryIntervalMs !== undefined) {
        stopRecovery = payouts.startRecovery({ intervalMs: recoveryIntervalMs })
      }
    },
    async stop() {
      stopRecovery()
      await service?.drain()
    },
  }
}
