import type { ArgTypes } from '@storybook/react-vite'
import type { Journey } from './sandbox'

/** What a story's emulator scenario is: editable as controls in Storybook. */
export interface ScenarioArgs {
  journey: Journey
  /** Added to every vendor answer, to see the waiting states. */
  latencyMs: number
  personaDown: boolean
  coinflowDown: boolean
  /** The host ledger's balance, in cents. */
  balanceCents: number
  /** How long Coinflow reviews a shared identity (emulator time). */
  shareReviewMs: number
  quoteValidForMs?: number
  /** Errors show at once instead of after the kit's retries. */
  noRetry?: boolean
  /** The latency starts after the BFF has read the user's session once (to see what comes after). */
  slowAfterSession?: boolean
}

const journeys: Journey[] = [
  'new',
  'in_progress',
  'share',
  'verified',
  'linked',
  'linked_failing',
  'needs_more_info',
  'rejected',
  'expired',
  'iban_eur',
  'pix_brl',
]

const scenario = { category: 'Emulator scenario' }

export const scenarioDefaults: ScenarioArgs = {
  journey: 'verified',
  latencyMs: 0,
  personaDown: false,
  coinflowDown: false,
  balanceCents: 2_500_00,
  shareReviewMs: 3_000,
}

export const scenarioArgTypes: Partial<ArgTypes<ScenarioArgs>> = {
  journey: { control: 'select', options: journeys, table: scenario },
  latencyMs: { control: { type: 'range', min: 0, max: 10_000, step: 250 }, table: scenario },
  personaDown: { control: 'boolean', table: scenario },
  coinflowDown: { control: 'boolean', table: scenario },
  balanceCents: { control: 'number', table: scenario },
  shareReviewMs: { control: 'number', table: scenario },
  quoteValidForMs: { control: 'number', table: scenario },
  noRetry: { control: 'boolean', table: scenario },
  slowAfterSession: { control: 'boolean', table: scenario },
}

/** The component's own props: the story's args without the scenario. */
export function componentArgs<T extends object>(args: T & Partial<ScenarioArgs>) {
  const {
    journey: _journey,
    latencyMs: _latency,
    personaDown: _persona,
    coinflowDown: _coinflow,
    balanceCents: _balance,
    shareReviewMs: _review,
    quoteValidForMs: _validity,
    noRetry: _retry,
    slowAfterSession: _slow,
    ...props
  } = args
  return props
}
