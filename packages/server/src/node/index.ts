/**
 * `@shareflow/server/node`: the Node-only helpers. Environment configuration, the server, the
 * durable stores (a file for one instance, Redis for several), and `createShareflowAppFromEnv`,
 * which talks to the real vendors when their keys are set and to the in-process emulator when
 * none are. The emulator is imported only then, so a host with keys never loads it.
 *
 * @module
 */
import { createShareflowApp, type ShareflowApp, type ShareflowAppOptions } from '../app'
import type { Emulator, EmulatorOptions } from '../emulator'
import { createJsonLogger } from '../logger'
import { isMemoryStore } from '../store/memory'
import { createRedisStore } from '../store/redis'
import type { ShareflowStore } from '../store/types'
import {
  readDeploymentEnv,
  readShareflowEnv,
  type ShareflowDeploymentConfig,
  type ShareflowStoreConfig,
} from './config'
import { createFileStore } from './file-store'

export {
  readDeploymentEnv,
  readShareflowEnv,
  ShareflowConfigError,
  type ShareflowDeploymentConfig,
  type ShareflowEnvConfig,
  type ShareflowStoreConfig,
} from './config'
export { serveShareflow, type ServeOptions, type ServingShareflow } from './serve'
export { forwardedClientAddress, type NodeClientBindings } from '../security/rate-limit'
export { createFileStore, type FileStoreOptions } from './file-store'
// Here rather than in the main entry, which must not pull ioredis (TCP sockets) into a Workers or
// browser bundle.
export { createRedisStore, type RedisStoreClient, type RedisStoreOptions } from '../store/redis'

export interface FromEnvOptions extends Omit<
  ShareflowAppOptions,
  'persona' | 'coinflow' | 'fetch'
> {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>
  /** For sandbox mode only. */
  emulator?: EmulatorOptions
}

/** The store `SHAREFLOW_STORE_URL` names; `undefined` for memory, the app's default. */
async function openStore(
  config: ShareflowStoreConfig,
  clock: FromEnvOptions['clock'],
): Promise<ShareflowStore | undefined> {
  switch (config.kind) {
    case 'memory':
      return undefined
    case 'file':
      return createFileStore({ directory: config.directory, ...(clock && { clock }) })
    case 'redis':
      return createRedisStore({ url: config.url, keyPrefix: config.keyPrefix })
  }
}

/**
 * Async because sandbox mode imports the sandbox app, and with it the emulator, on demand: with
 * the vendors' keys set, nothing of either is loaded. Every variable (the vendors' and the
 * deployment's, `readDeploymentEnv`) is checked before anything opens; what you pass in code
 * wins over the environment. `deployment.trustProxy` is for `serveShareflow`.
 *
 * @example
 * const { app, deployment } = await createShareflowAppFromEnv({ getUser })
 * await serveShareflow({ app, trustProxy: deployment.trustProxy })
 */
export async function createShareflowAppFromEnv({
  env = process.env,
  emulator: emulatorOptions,
  ...given
}: FromEnvOptions): Promise<{
  app: ShareflowApp
  emulator: Emulator | null
  deployment: ShareflowDeploymentConfig
}> {
  const config = readShareflowEnv(env)
  const deployment = readDeploymentEnv(env)
  const options = {
    ...given,
    store: given.store ?? (await openStore(deployment.store, given.clock)),
    trustedOrigins: given.trustedOrigins ?? deployment.trustedOrigins,
    rateLimits: given.rateLimits ?? deployment.rateLimits,
  }
  if (config.mode === 'sandbox') {
    const { createSandboxShareflowApp } = await import('../sandbox')
    const { app, emulator } = createSandboxShareflowApp({ ...options, emulator: emulatorOptions })
    return { app, emulator, deployment }
  }
  const logger = options.logger ?? createJsonLogger({ clock: options.clock })
  logger.info('Shareflow: talking to Persona and Coinflow', { coinflowEnv: config.coinflow.env })
  const app = createShareflowApp({
    ...options,
    logger,
    persona: config.persona,
    coinflow: config.coinflow,
  })
  if (isMemoryStore(app.shareflow.store)) {
    logger.warn(
      'Shareflow: real vendor keys on the memory store. Payouts in flight, idempotency records and webhook de-duplication are lost on restart and not shared between instances; set SHAREFLOW_STORE_URL (redis://… or file:<directory>) or pass a store',
    )
  }
  return { app, emulator: null, deployment }
}
