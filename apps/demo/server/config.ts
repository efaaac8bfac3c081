import type { CoinflowEnv } from '@shareflow/contract'

/**
 * Where the demo's vendors are: the real Persona and Coinflow sandboxes when their keys are set,
 * else the emulator inside this process. Only names are ever printed, never values.
 */
export type VendorConfig =
  | { mode: 'emulator' }
  | {
      mode: 'vendors'
      persona: {
        apiKey: string
        templateId: string
        connectionId: string
        webhookSecrets: string[]
      }
      coinflow: {
        apiKey: string
        merchantId: string
        env: CoinflowEnv
        webhookKey: string
      }
    }

const REQUIRED = [
  'PERSONA_API_KEY',
  'PERSONA_TEMPLATE_ID',
  'PERSONA_CONNECTION_ID',
  'PERSONA_WEBHOOK_SECRET',
  'COINFLOW_API_KEY',
  'COINFLOW_MERCHANT_ID',
  'COINFLOW_WEBHOOK_KEY',
] as const

export class ConfigError extends Error {}

export function readVendorConfig(env: Record<string, string | undefined>): VendorConfig {
  const present = REQUIRED.filter((name) => env[name]?.trim())
  const vendorVariables = Object.keys(env).filter(
    (name) => /^(PERSONA|COINFLOW)_/.test(name) && env[name]?.trim(),
  )
  if (vendorVariables.length === 0) return { mode: 'emulator' }
  const missing = REQUIRED.filter((name) => !present.includes(name))
  if (missing.length > 0) {
    // Half a configuration would quietly mix the emulator with a real vendor; refuse instead.
    throw new ConfigError(
      `Set all of ${REQUIRED.join(', ')} to use the vendors' sandboxes (missing: ${missing.join(', ')}), or none of them to use the emulator.`,
    )
  }
  const coinflowEnv = env.COINFLOW_ENV?.trim() || 'sandbox'
  if (coinflowEnv !== 'sandbox' && coinflowEnv !== 'prod') {
    throw new ConfigError('COINFLOW_ENV must be sandbox or prod.')
  }
  const value = (name: (typeof REQUIRED)[number]) => env[name]!.trim()
  return {
    mode: 'vendors',
    persona: {
      apiKey: value('PERSONA_API_KEY'),
      templateId: value('PERSONA_TEMPLATE_ID'),
      connectionId: value('PERSONA_CONNECTION_ID'),
      // A comma-separated list while a secret is being rotated.
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
