import type { Currency, Money } from '@shareflow/contract'

/**
 * Where each demo player starts, one per journey the kit has to handle. The sign-in screen lists
 * them; `seed.ts` puts each one's vendor-side history (a Persona inquiry, a Coinflow withdrawer,
 * a linked account) into the emulator so the journey starts exactly there.
 */
export const JOURNEYS = [
  /** Verified with Persona and registered with Coinflow: straight to the withdraw panel. */
  'verified',
  /** Finished a Persona inquiry earlier but never shared it with Coinflow. */
  'share',
  /** Has never verified: goes through Persona's hosted flow first. */
  'new',
  /** The Persona inquiry lacks an address Coinflow needs: Coinflow asks for more (451). */
  'needs_more_info',
  /** The Persona check ends declined: a clear terminal state. */
  'declined',
  /** Lives in Germany, paid to an IBAN in euros. */
  'iban_eur',
  /** Lives in the UK, paid to a UK account in pounds. */
  'iban_gbp',
  /** Lives in Brazil, paid by PIX in reais. */
  'pix_brl',
  /** Verified, with a US bank account already linked. */
  'linked',
] as const
export type Journey = (typeof JOURNEYS)[number]

export type PlayerCountry = 'US' | 'DE' | 'GB' | 'BR'

export interface DemoPlayer {
  /** The host's user id: Persona's `reference-id` and Coinflow's user id. */
  id: string
  name: string
  email: string
  country: PlayerCountry
  /** The currency the player's winnings are held (and paid out) in. */
  currency: Currency
  openingBalance: Money
  journey: Journey
  /** The in-game handle shown on the sign-in card. */
  handle: string
}

const player = (
  id: string,
  name: string,
  handle: string,
  country: PlayerCountry,
  currency: Currency,
  cents: number,
  journey: Journey,
): DemoPlayer => ({
  id,
  name,
  handle,
  email: `${id}@players.example`,
  country,
  currency,
  openingBalance: { cents, currency },
  journey,
})

export const DEMO_PLAYERS: readonly DemoPlayer[] = [
  player('ava-chen', 'Ava Chen', 'AvaStrike', 'US', 'USD', 480_00, 'verified'),
  player('ben-okafor', 'Ben Okafor', 'B3nzo', 'US', 'USD', 125_50, 'share'),
  player('cleo-martin', 'Cleo Martin', 'CleoQuest', 'US', 'USD', 60_00, 'new'),
  player('dev-patel', 'Dev Patel', 'DevDash', 'US', 'USD', 210_00, 'needs_more_info'),
  player('eli-brooks', 'Eli Brooks', 'EliteEli', 'US', 'USD', 95_00, 'declined'),
  player('greta-koehler', 'Greta Köhler', 'GretaGG', 'DE', 'EUR', 340_00, 'iban_eur'),
  player('harry-wells', 'Harry Wells', 'HazzaW', 'GB', 'GBP', 150_00, 'iban_gbp'),
  player('isabela-souza', 'Isabela Souza', 'IsaBR', 'BR', 'BRL', 1_200_00, 'pix_brl'),
  player('jonas-reed', 'Jonas Reed', 'JReed', 'US', 'USD', 1_500_000_00, 'linked'),
]

export function findPlayer(
  players: readonly DemoPlayer[],
  id: string | undefined | null,
): DemoPlayer | undefined {
  return id ? players.find((candidate) => candidate.id === id) : undefined
}
