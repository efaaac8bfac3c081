/**
 * The kit's test and Storybook bench: the real BFF (`createSandboxShareflowApp`) and the real
 * emulator of Persona and Coinflow, both running in this page, with one signed-in user placed at
 * the start of a journey through the emulator's own vendor APIs (as `apps/demo` seeds its
 * players). The kit talks to it through `createShareflowClient({ fetch: app.request })`: no
 * network, no mocks, no fixtures.
 */
import {
  createPayoutsModule,
  silentLogger,
  type ShareflowApp,
  type ShareflowUser,
} from '@shareflow/server'
import { createSandboxShareflowApp, sandboxCredentials } from '@shareflow/server/sandbox'
import type { Emulator, FaultSettings, Vendor } from '@shareflow/server/emulator'
import { createShareflowClient, type ShareflowClient } from '../src/client'

/** Where the signed-in user starts. */
export type Journey =
  /** Never verified. */
  | 'new'
  /** Started Persona's flow and left it open. */
  | 'in_progress'
  /** Finished Persona's flow; not yet shared with Coinflow. */
  | 'share'
  /** Shared and approved, no payout account yet. */
  | 'verified'
  /** Approved with a US bank account linked. */
  | 'linked'
  /** Approved with a bank account whose payouts fail (Coinflow's `suspended` holder). */
  | 'linked_failing'
  /** Shared an inquiry without an address: Coinflow asks for more (451). */
  | 'needs_more_info'
  /** Coinflow rejected the shared identity (its documented SSN 9999 / zip 99999). */
  | 'rejected'
  /** The inquiry expired before it was finished. */
  | 'expired'
  /** Approved with a US bank account and a Visa debit card (instant to card). */
  | 'linked_with_card'
  /** Approved in Germany with an IBAN (EUR). */
  | 'iban_eur'
  /** Approved in the UK with a GB IBAN (GBP, Faster Payments). */
  | 'iban_gbp'
  /** Approved in Brazil with a PIX key (BRL). */
  | 'pix_brl'

export interface SandboxOptions {
  journey: Journey
  /** The host's ledger balance in cents. Default $2,500.00. */
  balanceCents?: number
  /**
   * Whether the host's ledger tells the BFF the balance (its `availableBalance` hook), so an
   * amount above it is refused before pricing. Default `true`; `false` is a host whose debit is
   * the only check (the payout is refused on the press).
   */
  tellsBalance?: boolean
  faults?: Partial<Record<Vendor, Partial<FaultSettings>>>
  /** How long Coinflow reviews a shared identity, in emulator milliseconds. Default 3 s. */
  shareReviewMs?: number
  /** How long a quote holds (the BFF's `expiresAt`). Default 30 s. */
  quoteValidForMs?: number
  /** Where the hosted pages are served. Default `http://localhost:3000`. */
  hostedOrigin?: string
  /** How long the BFF trusts what it knows of the user's KYC before asking the vendors. Default 0. */
  recheckAfterMs?: number
  /** The BFF's budget of requests per user and minute (default 600); past it, it answers 429. */
  requestsPerMinute?: number
}

/** A request the kit made to the BFF. */
export interface KitRequest {
  method: string
  path: string
  idempotencyKey: string | null
}

export interface KitSandbox {
  client: ShareflowClient
  app: ShareflowApp
  emulator: Emulator
  user: ShareflowUser
  /** Every request the kit sent to the BFF, oldest first. */
  requests: KitRequest[]
  /**
   * The next `count` answers to `path` are lost on the way back: the BFF handles the request,
   * the kit sees a network error (a dropped connection, a proxy timeout).
   */
  loseAnswers(path: string, count: number): void
  /** The host ledger's balance for the user, in cents. */
  balance(): number
  /** Moves the emulator clock on and delivers everything that fell due (reviews, webhooks). */
  advance(ms: number): Promise<void>
  /** The user's newest Persona inquiry, finished in Persona's hosted flow. */
  completeInquiry(): Promise<void>
  close(): void
}

type Country = 'US' | 'DE' | 'GB' | 'BR'

const countries: Partial<Record<Journey, Country>> = {
  iban_eur: 'DE',
  iban_gbp: 'GB',
  pix_brl: 'BR',
}

const addresses: Record<Country, Record<string, string>> = {
  US: {
    'address-street-1': '350 Fifth Avenue',
    'address-city': 'New York',
    'address-subdivision': 'NY',
    'address-postal-code': '10118',
    'identification-number': '123-45-6789',
  },
  DE: {
    'address-street-1': 'Unter den Linden 77',
    'address-city': 'Berlin',
    'address-subdivision': 'BE',
    'address-postal-code': '10117',
  },
  GB: {
    'address-street-1': '10 Downing Street',
    'address-city': 'London',
    'address-subdivision': 'LND',
    'address-postal-code': 'SW1A 2AA',
  },
  BR: {
    'address-street-1': 'Avenida Paulista 1578',
    'address-city': 'São Paulo',
    'address-subdivision': 'SP',
    'address-postal-code': '01310-200',
  },
}

let sandboxes = 0

/**
 * Builds a sandbox and seeds its user. Each call is a fresh world (ids are seeded, so a story
 * shows the same data every time).
 *
 * @example
 * const sandbox = await createKitSandbox({ journey: 'linked' })
 * render(<ShareflowProvider client={sandbox.client}><WithdrawButton … /></ShareflowProvider>)
 */
export async function createKitSandbox(options: SandboxOptions): Promise<KitSandbox> {
  const { journey, shareReviewMs = 3_000 } = options
  const country = countries[journey] ?? 'US'
  const user: ShareflowUser = {
    id: `player_${journey}_${++sandboxes}`,
    email: `${journey.replace(/_/g, '-')}@example.com`,
    country,
  }
  const balances = new Map([[user.id, options.balanceCents ?? 2_500_00]])
  const payouts = createPayoutsModule({
    // A quote the BFF still holds in its cache would outlive a short validity.
    ...(options.quoteValidForMs === undefined
      ? {}
      : { quoteValidForMs: options.quoteValidForMs, quoteCacheMs: options.quoteValidForMs / 2 }),
    ledger: {
      authorizePayout: ({ user: { id }, amount }) => {
        const balance = balances.get(id) ?? 0
        if (balance < amount.cents) return { ok: false, reason: 'Your balance is too low.' }
        balances.set(id, balance - amount.cents)
        return { ok: true }
      },
      settlePayout: () => {},
      reversePayout: ({ user: { id }, amount }) => {
        balances.set(id, (balances.get(id) ?? 0) + amount.cents)
      },
      ...(options.tellsBalance === false
        ? {}
        : {
            availableBalance: ({ user: { id }, currency }) => ({
              cents: balances.get(id) ?? 0,
              currency,
            }),
          }),
    },
  })
  const { app, emulator } = createSandboxShareflowApp({
    getUser: () => user,
    logger: silentLogger,
    // The kit's tests move the emulator clock, not the BFF's: let every /session look again.
    kyc: { recheckAfterMs: options.recheckAfterMs ?? 0 },
    modules: [payouts],
    ...(options.requestsPerMinute === undefined
      ? {}
      : { rateLimits: { perUser: { limit: options.requestsPerMinute, windowMs: 60_000 } } }),
    emulator: {
      seed: 7,
      ...(options.hostedOrigin ? { hostedOrigin: options.hostedOrigin } : {}),
      faults: options.faults,
      coinflow: { shareTokenReviewMs: shareReviewMs },
    },
  })
  const requests: KitRequest[] = []
  const lost = new Map<string, number>()
  const client = createShareflowClient({
    baseUrl: 'http://shareflow.sandbox',
    fetch: async (input, init) => {
      const path = new URL(input).pathname
      const headers = new Headers(init.headers)
      requests.push({
        method: init.method ?? 'GET',
        path,
        idempotencyKey: headers.get('Idempotency-Key'),
      })
      const response = await app.request(input, init)
      const losing = lost.get(path) ?? 0
      if (losing > 0) {
        lost.set(path, losing - 1)
        throw new TypeError('Failed to fetch')
      }
      return response
    },
  })

  const { persona: personaKeys, coinflow: coinflowKeys } = sandboxCredentials
  async function call(
    url: string,
    method: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await emulator.fetch(url, {
      method,
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) {
      throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`)
    }
    return (await response.json()) as { data: { id: string } }
  }
  const persona = (method: string, path: string, body?: unknown) =>
    call(
      `https://api.withpersona.com/api/v1${path}`,
      method,
      {
        Authorization: `Bearer ${personaKeys.apiKey}`,
        'Persona-Version': '2025-12-08',
      },
      body,
    )
  const coinflow = (method: string, path: string, body?: unknown) =>
    call(
      `https://api-sandbox.coinflow.cash/api${path}`,
      method,
      {
        Authorization: coinflowKeys.apiKey,
        'x-coinflow-auth-user-id': user.id,
      },
      body,
    )
  const advance = async (ms: number) => {
    emulator.clock.advance(ms)
    await emulator.flush()
  }

  const fields = (
    extra: Record<string, string> = {},
    withAddress = true,
  ): Record<string, string> => ({
    'name-first': 'Robin',
    'name-last': 'Reyes',
    birthdate: '1994-03-17',
    'email-address': user.email,
    'address-country-code': country,
    ...(withAddress ? addresses[country] : {}),
    ...extra,
  })
  const inquiry = async (values: Record<string, string>, steps: string[]) => {
    const created = await persona('POST', '/inquiries', {
      data: {
        attributes: {
          'inquiry-template-id': personaKeys.templateId,
          'reference-id': user.id,
          fields: values,
        },
      },
    })
    if (steps.length > 0) {
      await persona('POST', `/inquiries/${created.data.id}/perform-simulate-actions`, {
        meta: { 'simulate-actions': steps.map((type) => ({ type })) },
      })
    }
    return created.data.id
  }
  const shareWithCoinflow = async (inquiryId: string) => {
    const token = await persona('POST', '/connect/share-tokens', {
      data: {
        attributes: { 'connection-id': personaKeys.connectionId, 'source-id': inquiryId },
      },
    })
    await coinflow('POST', '/withdraw/kyc/share-token', {
      vendor: 'persona',
      shareToken: token.data.id,
      email: user.email,
    })
    await advance(shareReviewMs)
  }
  /** Outside the US Coinflow checks a document after the share: fill in its page. */
  const passDocumentCheck = async () => {
    const response = await emulator.fetch('https://api-sandbox.coinflow.cash/api/withdraw', {
      headers: { Authorization: coinflowKeys.apiKey, 'x-coinflow-auth-user-id': user.id },
    })
    const { verificationLink } = (await response.json()) as { verificationLink: string }
    const form = fields()
    const body = new FormData()
    const values = {
      firstName: form['name-first']!,
      lastName: form['name-last']!,
      dob: form.birthdate!,
      address1: form['address-street-1']!,
      city: form['address-city']!,
      state: form['address-subdivision']!,
      zip: form['address-postal-code']!,
      country,
      documentType: 'PASSPORT',
    }
    for (const [name, value] of Object.entries(values)) body.set(name, value)
    // The page takes a photo of the document and a selfie; the emulator checks only that both
    // arrive, so a JPEG header stands in for each picture.
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0])
    body.set('document', new File([photo], 'passport.jpg', { type: 'image/jpeg' }))
    body.set('selfie', new File([photo], 'selfie.jpg', { type: 'image/jpeg' }))
    const submitted = await emulator.fetch(verificationLink, {
      method: 'POST',
      body,
      redirect: 'manual',
    })
    // A refused form would leave the story waiting on a check that never ends; say so instead.
    if (submitted.status !== 303) {
      throw new Error(`Coinflow's verification page refused the sandbox user: ${submitted.status}`)
    }
  }
  const approved = async (steps = ['start_inquiry', 'complete_inquiry', 'approve_inquiry']) => {
    await shareWithCoinflow(await inquiry(fields(), steps))
    if (country !== 'US') await passDocumentCheck()
  }

  switch (journey) {
    case 'new':
      break
    case 'in_progress':
      await inquiry(fields(), ['start_inquiry'])
      break
    case 'share':
      await inquiry(fields(), ['start_inquiry', 'complete_inquiry'])
      break
    case 'needs_more_info':
      // The inquiry never collected an address, which Coinflow needs before paying out.
      await inquiry(fields({}, false), ['start_inquiry', 'complete_inquiry'])
      break
    case 'rejected':
      await inquiry(
        fields({ 'identification-number': '999-99-9999', 'address-postal-code': '99999' }),
        ['start_inquiry', 'complete_inquiry'],
      )
      break
    case 'expired':
      await inquiry(fields(), ['start_inquiry', 'expire_inquiry'])
      break
    case 'verified':
      await approved()
      break
    case 'linked':
    case 'linked_failing':
    case 'linked_with_card':
      await approved()
      await coinflow('POST', '/withdraw/account', {
        alias: journey === 'linked_failing' ? 'suspended' : 'Everyday Checking',
        routingNumber: '011401533',
        accountNumber: '000123456789',
        type: 'checking',
      })
      if (journey === 'linked_with_card') {
        // Coinflow's card vault (TokenEx) tokenises the number; the account keeps only the token.
        const response = await emulator.fetch(
          'https://api-sandbox.coinflow.cash/api/tokenize/card-only',
          {
            method: 'POST',
            headers: {
              Authorization: coinflowKeys.apiKey,
              'Content-Type': 'application/json',
              'tx-token-scheme': 'sixANTOKENfour',
              'tx-tokenex-id': 'sandbox',
              'tx-apikey': 'sandbox',
            },
            body: JSON.stringify({ data: '4111111111111111' }),
          },
        )
        const { token } = (await response.json()) as { token: string }
        await coinflow('POST', '/withdraw/debit-card', {
          cardToken: token,
          expMonth: '12',
          expYear: '30',
        })
      }
      break
    case 'iban_eur':
    case 'iban_gbp':
      await approved()
      // Coinflow pays a German IBAN in euros (SEPA), a British one in pounds (Faster Payments).
      await coinflow('POST', '/withdraw/iban', {
        ...(journey === 'iban_eur'
          ? { number: 'DE89370400440532013000', alias: 'Girokonto' }
          : { number: 'GB29NWBK60161331926819', alias: 'Current account' }),
        accountHolder: 'Robin Reyes',
      })
      break
    case 'pix_brl':
      await approved()
      await coinflow('POST', '/withdraw/pix', { pixKey: '40882598074' })
      break
    default:
      journey satisfies never
  }

  return {
    client,
    app,
    emulator,
    user,
    requests,
    loseAnswers: (path, count) => lost.set(path, count),
    balance: () => balances.get(user.id) ?? 0,
    advance,
    async completeInquiry() {
      const list = (await persona(
        'GET',
        `/inquiries?filter[reference-id]=${encodeURIComponent(user.id)}`,
      )) as unknown as { data: { id: string }[] }
      const newest = list.data[0]
      if (!newest) throw new Error(`${user.id} has no inquiry to complete`)
      // What the person types into Persona's flow.
      await persona('PATCH', `/inquiries/${newest.id}`, {
        data: { attributes: { fields: fields() } },
      })
      await persona('POST', `/inquiries/${newest.id}/perform-simulate-actions`, {
        meta: { 'simulate-actions': [{ type: 'complete_inquiry' }] },
      })
      await emulator.flush()
    },
    close: () => emulator.close(),
  }
}
