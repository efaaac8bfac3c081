/**
 * Reads the BFF's vendor configuration from environment variables (Node, Bun, Deno's `process`
 * shim). With none of them set, the kit runs in sandbox mode on the in-process emulator; with
 * some but not all, it refuses to start rather than quietly mixing the emulator with a real vendor.
 * Error messages name variables, never values.
 *
 * Variables: `PERSONA_API_KEY`, `PERSONA_TEMPLATE_ID`, `PERSONA_CONNECTION_ID`,
 * `PERSONA_WEBHOOK_SECRET` (comma-separated while rotating), `COINFLOW_API_KEY`,
 * `COINFLOW_MERCHANT_ID`, `COINFLOW_ENV` (`sandbox` | `prod`, default `sandbox`),
 * `COINFLOW_WEBHOOK_KEY`.
 *
 * @module
 */
import type { CoinflowOptions, PersonaOptions } from '../options'

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
