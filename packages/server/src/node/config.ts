/**
 * Reads the BFF's vendor configuration from environment variables (Node, Bun, Deno's `process`
 * shim). With none of them set, the kit runs in sandbox mode on the in-process emulator; with
 * some but not all, it refuses to start rather than quietly mixing the emulator with a real vendor.
 * Error messages name variables, never values.
 *
 * Variables: `PERSONA_API_KEY`, `PERSONA_TEMPLATE_ID`, `PERSONA_CONNECTION_ID`,
 * `PERSONA_WEBHOOK_SECRET` (comma-separated while rotating), `COINFLOW_API_KEY`,
 * `COINFLOW_MERCHANT_ID`, `COINFLOW_ENV` (`sandbox` | `prod`, default `sandbox`),
 * `COINFLOW_WEBHOOK_KEY`. The deployment's own settings (store, trusted origins, proxies, rate
 * limits) are read by `readDeploymentEnv`, below.
 *
 * @module
 */
import { fileURLToPath } from 'node:url'
import type { CoinflowOptions, PersonaOptions } from '../options'
import type { RateLimit, RateLimitOptions } from '../security/rate-limit'

export type ShareflowEnvConfig =
  { mode: 'sandbox' } | { mode: 'live'; persona: PersonaOptions; coinflow: CoinflowOptions }

const required = [
  'PERSONA_API_KEY',
  'PERSONA_TEMPLATE_ID',
  'PERSONA_CONNECTION_ID',
  'PERSONA_WEBHOOK_SECRET',
  'COINFLOW_API_KEY',
  'COINFLOW_MERCHANT_ID',
  'COINFLOW_WEBHOOK_KEY',
] as const

export class ShareflowConfigError extends Error {
  override name = 'ShareflowConfigError'
}

/**
 * @example
 * const config = readShareflowEnv(process.env)
 * if (config.mode === 'live') createShareflowApp({ ...config, getUser, store })
 */
export function readShareflowEnv(env: Record<string, string | undefined>): ShareflowEnvConfig {
  const value = (name: string) => env[name]?.trim() ?? ''
  const set = [...required, 'COINFLOW_ENV'].filter((name) => value(name) !== '')
  if (set.length === 0) return { mode: 'sandbox' }
  const missing = required.filter((name) => value(name) === '')
  if (missing.length > 0) {
    throw new ShareflowConfigError(
      `Shareflow needs all of ${required.join(', ')} to talk to Persona and Coinflow, or none of them to run on the emulator; missing: ${missing.join(', ')}.`,
    )
  }
  const coinflowEnv = value('COINFLOW_ENV') || 'sandbox'
  if (coinflowEnv !== 'sandbox' && coinflowEnv !== 'prod') {
    throw new ShareflowConfigError('COINFLOW_ENV must be "sandbox" or "prod".')
  }
  return {
    mode: 'live',
    persona: {
      apiKey: value('PERSONA_API_KEY'),
      templateId: value('PERSONA_TEMPLATE_ID'),
      connectionId: value('PERSONA_CONNECTION_ID'),
      webhookSecrets: value('PERSONA_WEBHOOK_SECRET')
        .split(',')
        .map((secret) => secret.trim())
        .filter(Boolean),
    },
    coinflow: {
      apiKey: value('COINFLOW_API_KEY'),
      merchantId: value('COINFLOW_MERCHANT_ID'),
      env: coinflowEnv,
      webhookKey: value('COINFLOW_WEBHOOK_KEY'),
    },
  }
}

/** Where the BFF keeps its records, as `SHAREFLOW_STORE_URL` names it. */
export type ShareflowStoreConfig =
  | { kind: 'memory' }
  | { kind: 'file'; directory: string }
  | { kind: 'redis'; url: string; keyPrefix?: string }

/** What a deployment sets beside the vendors' keys. */
export interface ShareflowDeploymentConfig {
  store: ShareflowStoreConfig
  /** Other origins whose pages may call the BFF (`trustedOrigins`). */
  trustedOrigins: string[]
  /** Proxies of your own in front (`serveShareflow`'s `trustProxy`). */
  trustProxy: number
  /** `undefined`: the defaults. */
  rateLimits: RateLimitOptions | false | undefined
}

const PER_MINUTE = 60_000

/**
 * The deployment's settings from the environment, every variable checked at once: a
 * `ShareflowConfigError` lists each one that is wrong, with what it should be. The store URL is
 * never repeated (it may hold a password).
 *
 * Variables (the package README has the table): `SHAREFLOW_STORE_URL` (`redis://…`,
 * `rediss://…`, `file:<directory>`, `memory:`), `SHAREFLOW_REDIS_KEY_PREFIX`,
 * `SHAREFLOW_TRUSTED_ORIGINS` (comma-separated origins), `SHAREFLOW_TRUST_PROXY` (hops),
 * `SHAREFLOW_RATE_LIMIT_PER_USER` and `SHAREFLOW_RATE_LIMIT_PER_ADDRESS` (a minute, or `off`).
 *
 * @example
 * const deployment = readDeploymentEnv(process.env)
 * await serveShareflow({ app, trustProxy: deployment.trustProxy })
 */
export function readDeploymentEnv(
  env: Record<string, string | undefined>,
): ShareflowDeploymentConfig {
  const value = (name: string) => env[name]?.trim() ?? ''
  const problems: string[] = []

  const store = ((): ShareflowStoreConfig => {
    const url = value('SHAREFLOW_STORE_URL')
    const keyPrefix = value('SHAREFLOW_REDIS_KEY_PREFIX') || undefined
    if (url === '' || url === 'memory:') return { kind: 'memory' }
    if (/^rediss?:\/\/./.test(url)) return { kind: 'redis', url, ...(keyPrefix && { keyPrefix }) }
    if (url.startsWith('file:') && url.length > 'file:'.length) {
      return {
        kind: 'file',
        directory: url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length),
      }
    }
    problems.push('SHAREFLOW_STORE_URL must be redis://…, rediss://…, file:<directory> or memory:.')
    return { kind: 'memory' }
  })()

  const trustedOrigins = value('SHAREFLOW_TRUSTED_ORIGINS')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  for (const origin of trustedOrigins) {
    if (!isOrigin(origin)) {
      problems.push(
        `SHAREFLOW_TRUSTED_ORIGINS must list origins such as https://app.example.com (scheme and host, no path); "${origin}" is not one.`,
      )
    }
  }

  const wholeNumber = (name: string, { min }: { min: number }) => {
    const raw = value(name)
    if (raw === '') return undefined
    const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
    if (!Number.isSafeInteger(parsed) || parsed < min) {
      problems.push(`${name} must be a whole number from ${min}, not "${raw}".`)
      return undefined
    }
    return parsed
  }

  const trustProxy = wholeNumber('SHAREFLOW_TRUST_PROXY', { min: 0 }) ?? 0

  const perMinute = (name: string): RateLimit | false | undefined => {
    const raw = value(name)
    if (raw.toLowerCase() === 'off') return false
    const limit = wholeNumber(name, { min: 1 })
    return limit === undefined ? undefined : { limit, windowMs: PER_MINUTE }
  }
  const perUser = perMinute('SHAREFLOW_RATE_LIMIT_PER_USER')
  const perAddress = perMinute('SHAREFLOW_RATE_LIMIT_PER_ADDRESS')

  if (problems.length > 0) {
    throw new ShareflowConfigError(
      `Shareflow cannot start with this environment:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    )
  }
  return {
    store,
    trustedOrigins,
    trustProxy,
    rateLimits:
      perUser === undefined && perAddress === undefined
        ? undefined
        : {
            ...(perUser !== undefined && { perUser }),
            ...(perAddress !== undefined && { perAddress }),
          },
  }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value
  } catch {
    return false
  }
}
