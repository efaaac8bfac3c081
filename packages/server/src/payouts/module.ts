/**
 * Payouts as a module of the BFF: pass `createPayoutsModule({ ledger })` in
 * `createShareflowApp({ modules: [...] })` and it mounts `/destinations`, `/quotes` and
 * `/payouts`, follows Coinflow's Withdraw webhooks, and resumes unfinished payouts.
 *
 * Recovery runs at start-up (the first sweep), on requests to these routes (at most every few
 * seconds) and, with `recoveryIntervalMs`, on a timer. Runtimes that forbid work outside a request
 * (Workers) leave the timer off; requests and webhooks still move every payout on.
 *
 * @module
 */
import type { ShareflowModule } from '../core'
import { registerDestinationRoutes } from '../routes/destinations'
import { registerPayoutRoutes } from '../routes/payouts'
import { registerQuoteRoutes } from '../routes/quotes'
import { createPayoutCoinflow } from './coinflow-port'
import { payoutPaths } from './openapi'
import type { PayoutHostLedger } from './host-ledger'
import { createPayoutService, type PayoutService, type PayoutServiceOptions } from './service'

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
 * A webhook string we can use as a key or in a URL. A signed delivery can still carry a lone
 * UTF-16 surrogate (valid JSON), which `encodeURIComponent` refuses with a URIError; such a
 * value cannot name one of our payouts, so it counts as absent.
 */
function textField(value: unknown): string | undefined {
  return typeof value === 'string' && !/[\uD800-\uDFFF]/u.test(value) ? value : undefined
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
    register(app, core) {
      const payouts = createPayoutService({
        ...serviceOptions,
        store: core.store,
        coinflow: createPayoutCoinflow(core.coinflow),
        ledger,
        clock: core.clock,
        logger: core.logger.child({ module: 'payouts' }),
        publish: async (userId, event) => {
          await core.events.publish(userId, event)
        },
        onVerificationRequired: async (userId, verificationLink) => {
          if (!verificationLink) return
          await core.kyc.observeWithdrawer(userId, {
            kind: 'verification_required',
            verification: { status: 'pending', vendor: null, shareTokenStatus: null },
            verificationLink,
            rejectionReasons: [],
          })
        },
      })
      service = payouts
      core.webhooks.onCoinflowWithdrawEvent.add((event) => {
        const signature = textField(event.data.signature)
        const idempotencyKey = textField(event.data.idempotencyKey)
        const userId = textField(event.data.userId)
        return payouts.handleWithdrawEvent({
          eventType: event.eventType,
          signature: signature ?? '',
          ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
          ...(userId !== undefined ? { userId } : {}),
        })
      })
      registerDestinationRoutes(app, payouts)
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
