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
import { readShareflowEnv } from './config'

export { readShareflowEnv, ShareflowConfigError, type ShareflowEnvConfig } from './config'
export { serveShareflow, type ServeOptions, type ServingShareflow } from './serve'
export { forwardedClientAddress, type NodeClientBindings } from '../security/rate-limit'
export { createFileStore, type FileStoreOptions } from './file-store'
// Here rather than in the main entry, which must not pull ioredis (TCP sockets) into a Workers or
// browser bundle.
export { createRedisStore, type RedisStoreOptions } from '../store/redis'

export interface FromEnvOptions extends Omit<
  ShareflowAppOptions,
  'persona' | 'coinflow' | 'fetch'
> {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>
  /** For sandbox mode only. */
  emulator?: EmulatorOptions
}

/**
 * Async because sandbox mode imports the sandbox app, and with it the emulator, on demand: with
 * the vendors' keys set, nothing of either is loaded.
 *
 * @example
 * const { app } = await createShareflowAppFromEnv({ getUser, store: await createFileStore({ directory }) })
 */
export async function createShareflowAppFromEnv({
  env = process.env,
  emulator: emulatorOptions,
  ...options
}: FromEnvOptions): Promise<{ app: ShareflowApp; emulator: Emulator | null }> {
  const config = readShareflowEnv(env)
  if (config.mode === 'sandbox') {
    const { createSandboxShareflowApp } = await import('../sandbox')
    const { app, emulator } = createSandboxShareflowApp({ ...options, emulator: emulatorOptions })
    return { app, emulator }
  }
  const logger = options.logger ?? createJsonLogger({ clock: options.clock })
  logger.info('Shareflow: talking to Persona and Coinflow', { coinflowEnv: config.coinflow.env })
  return {
    app: createShareflowApp({
      ...options,
      logger,
      persona: config.persona,
      coinflow: config.coinflow,
    }),
    emulator: null,
  }
}
