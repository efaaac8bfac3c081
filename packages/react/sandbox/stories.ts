import type { Currency, DestinationType, PositiveMoney, Speed } from '@shareflow/contract'
import type { ArgTypes, StoryContext } from '@storybook/react-vite'
import { expect, waitFor } from 'storybook/test'
import { formatMoney } from '../src/format'
import { de } from '../src/locales/de'
import { gateScreenEn } from '../src/kyc-share-gate/gate-messages'
import { en, fill, type ShareflowLanguage } from '../src/messages'
import { historyEn } from '../src/history/messages'
import { linkEn } from '../src/withdraw-button/link-messages'

/** The English each lazy chunk carries of its own (`ChunkMessages`). */
const chunkEn = { ...linkEn, ...historyEn, ...gateScreenEn }
import type { AppearanceVariables } from '../src/appearance'
import type { IntentStorage } from '../src/withdraw-button/use-withdraw'
import type { Journey, KitSandbox } from './sandbox'

/** What a story's emulator scenario is: editable as controls in Storybook, applied at once. */
export interface ScenarioArgs {
  journey: Journey
  /** Added to every vendor answer, to see the waiting states. */
  latencyMs: number
  personaDown: boolean
  coinflowDown: boolean
  /** The host ledger's balance, in cents. */
  balanceCents: number
  /** The host's ledger tells the BFF the balance (default), so the kit checks an amount against it. */
  tellsBalance?: boolean
  /** How long Coinflow reviews a shared identity (emulator time). */
  shareReviewMs: number
  quoteValidForMs?: number
  /** Errors show at once instead of after the kit's retries. */
  noRetry?: boolean
  /** The latency starts after the BFF has read the user's session once (to see what comes after). */
  slowAfterSession?: boolean
  /** Coinflow stops answering this long after the story opens (a screen already shown, then an outage). */
  coinflowDownAfterMs?: number
  /**
   * The user pressed Withdraw this many seconds (emulator time) before the story opened: instant
   * payouts settle after 2 s, same day after 10 s, standard after 30 s. Empty: not pressed.
   */
  pressedSecondsAgo?: number
  /** The BFF's budget of requests per minute for the user: past it, answers are 429. */
  requestsPerMinute?: number
  /** Pays to (or prices for) the user's linked account of this kind, when the journey has one. */
  destinationType?: DestinationType
}

/** A story's amount as a designer edits it (a number and a currency), for `<WithdrawButton>`. */
export interface AmountArgs {
  amountCents?: number
  currency?: Currency
}

/** The `amount` prop the `AmountArgs` make: `undefined` while there is no amount. */
export const storyAmount = ({ amountCents, currency = 'USD' }: AmountArgs) =>
  amountCents ? { cents: amountCents, currency } : undefined

const currencies: Currency[] = ['USD', 'EUR', 'GBP', 'BRL']
const speeds: Speed[] = ['card', 'asap', 'same_day', 'standard', 'iban', 'pix']
const destinationTypes: DestinationType[] = ['bank_account', 'card', 'iban', 'pix']

/** Selects for the props designers change most: currency, amount, speed. */
export const moneyArgTypes = {
  currency: {
    control: 'select',
    options: currencies,
    description:
      'The payout’s currency: USD to US banks and cards, EUR and GBP by IBAN, BRL by PIX.',
  },
  amountCents: {
    control: 'number',
    description: 'The amount, in cents (10000 is 100.00).',
  },
  speed: {
    control: 'select',
    options: speeds,
    description:
      'The payout speed: `card` (instant to card), `asap`, `same_day` and `standard` for US banks, `iban`, `pix`.',
  },
  value: { control: 'select', options: speeds, description: 'The selected speed, controlled.' },
  defaultValue: {
    control: 'select',
    options: speeds,
    description: 'The speed selected first when the component keeps the choice itself.',
  },
} as const

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
  'linked_with_card',
  'iban_eur',
  'iban_gbp',
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
  journey: {
    control: 'select',
    options: journeys,
    description:
      'Where the signed-in user starts: never verified (`new`), mid-way through Persona, approved with a bank account (`linked`), in Germany with an IBAN, in Brazil with PIX…',
    table: scenario,
  },
  latencyMs: {
    control: { type: 'range', min: 0, max: 10_000, step: 250 },
    description: 'Milliseconds added to every answer of Persona and Coinflow: the waiting screens.',
    table: scenario,
  },
  personaDown: {
    control: 'boolean',
    description: 'Persona answers every call with a server error.',
    table: scenario,
  },
  coinflowDown: {
    control: 'boolean',
    description: 'Coinflow answers every call with a server error.',
    table: scenario,
  },
  balanceCents: {
    control: 'number',
    description: 'What the host owes the user, in cents: a payout above it is refused.',
    table: scenario,
  },
  tellsBalance: {
    control: 'boolean',
    description:
      'The host’s ledger reports the balance (`availableBalance`): an amount above it is refused as it is typed. Off: only the host’s debit refuses it, on the press.',
    table: scenario,
  },
  shareReviewMs: {
    control: 'number',
    description: 'How long Coinflow reviews a shared verification before approving it.',
    table: scenario,
  },
  quoteValidForMs: {
    control: 'number',
    description: 'How long a quote holds before the kit asks again (default 30 s).',
    table: scenario,
  },
  noRetry: {
    control: 'boolean',
    description: 'Errors show at once instead of after the kit’s retries.',
    table: scenario,
  },
  slowAfterSession: {
    control: 'boolean',
    description: 'The latency starts after the first screen has loaded: to see what comes next.',
    table: scenario,
  },
  coinflowDownAfterMs: {
    control: 'number',
    description: 'Coinflow goes down this long after the story opens.',
    table: scenario,
  },
  requestsPerMinute: {
    control: 'number',
    description:
      'The BFF’s budget of requests per minute for this user (600 in production): past it, it answers 429 and the kit says to try again in a moment.',
    table: scenario,
  },
  destinationType: {
    control: 'select',
    options: destinationTypes,
    description:
      'Which linked account to use, by kind (`linked_with_card` has a bank account and a card). Empty: the first in the currency.',
    table: { category: 'Payout account' },
  },
  pressedSecondsAgo: {
    control: 'number',
    description:
      'The user pressed Withdraw this many seconds before: instant payouts settle after 2 s, same day after 10 s, standard after 30 s. Empty: not pressed.',
    table: scenario,
  },
}

/** The component's own props: the story's args without the scenario. */
export function componentArgs<T extends object>(args: T & Partial<ScenarioArgs>) {
  const {
    journey: _journey,
    latencyMs: _latency,
    personaDown: _persona,
    coinflowDown: _coinflow,
    balanceCents: _balance,
    tellsBalance: _tells,
    shareReviewMs: _review,
    quoteValidForMs: _validity,
    noRetry: _retry,
    slowAfterSession: _slow,
    coinflowDownAfterMs: _down,
    pressedSecondsAgo: _pressed,
    destinationType: _type,
    requestsPerMinute: _budget,
    ...props
  } = args
  return props
}

/**
 * The press on Withdraw, made before the story renders: a quote and the payout at its fee, sent
 * to the BFF as the button sends them, then kept where the button keeps an intent across a
 * reload. The button mounts following that payout (or, when it was refused, sending it again
 * under its key and showing why), so its state shows with no click.
 */
export async function pressWithdraw(
  sandbox: KitSandbox,
  args: Partial<ScenarioArgs> & AmountArgs & { speed?: Speed },
): Promise<IntentStorage | undefined> {
  const { speed, pressedSecondsAgo, destinationType } = args
  const amount = storyAmount(args)
  if (pressedSecondsAgo === undefined || !amount || !speed) return undefined
  const { client } = sandbox
  const { destinations } = await client.getSession()
  const destination = destinations.find((linked) =>
    destinationType ? linked.type === destinationType : linked.currency === amount.currency,
  )
  if (!destination)
    throw new Error(`The ${sandbox.user.id} journey has no ${amount.currency} account`)
  const quote = await client.quote({ amount, destinationId: destination.id })
  const option = quote.options.find((offered) => offered.speed === speed)
  if (!option) throw new Error(`No ${speed} payout to ${destination.type}`)
  const request = { amount, speed, destinationId: destination.id, fee: option.fee }
  const key = `story-press-${sandbox.user.id}`
  const payoutId = await client
    .createPayout(request, { idempotencyKey: key })
    .then((payout) => payout.id)
    // Refused (the host's balance, say): the button sends it again on mount and shows the answer.
    .catch(() => undefined)
  // The key `useWithdraw` keeps an unfinished intent under, with what it keeps.
  const items = new Map([
    [`shareflow:payout-intent:${client.baseUrl}`, JSON.stringify({ key, request, payoutId })],
  ])
  await sandbox.advance(pressedSecondsAgo * 1_000)
  return {
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
  }
}

/**
 * What the kit says in the story's language (the toolbar's), so a play function passes in English
 * and in German alike: `say(globals).m.withdrawLink`, `say(globals).money(100_00, 'USD')`.
 */
export function say(globals: StoryContext['globals']) {
  const locale = String(globals.locale ?? 'en-US')
  const m: ShareflowLanguage = locale.startsWith('de')
    ? { ...chunkEn, ...en, ...de }
    : { ...chunkEn, ...en }
  // Text queries see a no-break space (German money: `100,00 $`) as a plain one.
  const plain = (text: string) => text.replace(/\s/g, ' ')
  return {
    m,
    fill: (template: string, values?: Record<string, string | number>) =>
      plain(fill(template, values)),
    money: (cents: number, currency: PositiveMoney['currency'] = 'USD') =>
      plain(formatMoney({ cents, currency }, locale)),
    /** An accessible-name matcher for `text` (names keep their no-break spaces). */
    named: (text: string) => (name: string) => plain(name) === text,
  }
}

/** Waits until the component under `selector` is in `state` (its `data-state`), in any language. */
export const waitForState = (canvas: HTMLElement, selector: string, state: string) =>
  waitFor(() => expect(canvas.querySelector(selector)).toHaveAttribute('data-state', state), {
    timeout: 15_000,
  })

/** The id of the user's linked account of the story's `destinationType`, if it has one. */
export async function storyDestination(
  sandbox: KitSandbox,
  { destinationType }: Partial<ScenarioArgs>,
) {
  if (!destinationType) return undefined
  const { destinations } = await sandbox.client.getSession()
  return destinations.find((linked) => linked.type === destinationType)?.id
}

/** Every design token of `appearance.variables`, with the light theme's value (styles.css). */
export const appearanceTokens: Record<keyof AppearanceVariables, string> = {
  colorPrimary: '#4f46e5',
  colorOnPrimary: '#ffffff',
  colorBackground: '#ffffff',
  colorSurface: '#f6f7f9',
  colorText: '#111827',
  colorTextMuted: '#4b5563',
  colorBorder: '#d1d5db',
  colorDanger: '#b91c1c',
  colorSuccess: '#047857',
  colorFocus: '#2563eb',
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  fontSize: '1rem',
  borderRadius: '0.5rem',
  spacing: '1rem',
}

/** The story's `appearance.variables`: the args named after a token (the Theming story's). */
export const storyVariables = (args: Record<string, unknown>): Partial<AppearanceVariables> =>
  Object.fromEntries(
    Object.keys(appearanceTokens).flatMap((token) =>
      typeof args[token] === 'string' && args[token] ? [[token, args[token]]] : [],
    ),
  )
