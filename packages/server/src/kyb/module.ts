/**
 * Business payees (KYB) as a module of the BFF: pass `createKybModule({ transactionTypeId })`
 * in `createShareflowApp({ modules: [...] })` and it mounts `GET /business` and
 * `PUT /business`, follows Persona's transaction webhooks, and resumes journeys a crash left
 * between steps. Who is a business comes from the host: `getUser` returns
 * `business: { id }`; a user without it gets `403`.
 *
 * @module
 */
import { BusinessDetails, routes } from '@shareflow/contract'
import type { Context } from 'hono'
import { ApiError, validate } from '../errors'
import type { ShareflowEnv } from '../request-context'
import type { ShareflowModule } from '../shareflow-module'
import { requireUser, signedIn } from '../user'
import { kybPaths } from './openapi'
import { createKybService, type KybService, type KybServiceOptions } from './service'

export interface KybModuleOptions extends Pick<
  KybServiceOptions,
  'transactionTypeId' | 'stallAfterMs' | 'pollEveryMs' | 'onReview'
> {}

export interface KybModule extends ShareflowModule {
  readonly service: KybService
}

async function businessOf(c: Context<ShareflowEnv>) {
  const user = await requireUser(c)
  if (!user.business) {
    throw new ApiError('forbidden', 'This account is not set up to be paid as a business.')
  }
  return { userId: user.id, businessId: user.business.id }
}

/**
 * @example
 * const kyb = createKybModule({ transactionTypeId: process.env.PERSONA_KYB_TRANSACTION_TYPE_ID })
 * const app = createShareflowApp({ getUser, persona, coinflow, store, modules: [payouts, kyb] })
 */
export function createKybModule(options: KybModuleOptions): KybModule {
  let service: KybService | undefined
  return {
    name: 'kyb',
    openapi: kybPaths,
    get service() {
      if (!service) throw new Error('The KYB module has not been registered with an app yet')
      return service
    },
    register(app, services) {
      const kyb = createKybService({
        ...options,
        store: services.store,
        clock: services.clock,
        logger: services.logger.child({ module: 'kyb' }),
        persona: services.persona,
        coinflow: services.coinflow,
        merchantId: services.coinflow.merchantId,
      })
      service = kyb
      services.webhooks.onPersonaWorkflowEvent.add((event) =>
        event.name.startsWith('transaction.') ? kyb.applyTransactionEvent(event) : 'ignored',
      )
      app.get(routes.business, async (c) => {
        const { userId, businessId } = await businessOf(c)
        return c.json(await kyb.current(userId, businessId))
      })
      // Who is signed in is asked before the body is read, as on every other write.
      app.put(routes.business, signedIn, validate('json', BusinessDetails), async (c) => {
        const { userId, businessId } = await businessOf(c)
        return c.json(await kyb.submit(userId, businessId, c.req.valid('json')))
      })
      void kyb.resumeAll().catch((error) => {
        services.logger.warn('kyb journeys could not resume at start-up', { error })
      })
    },
  }
}
